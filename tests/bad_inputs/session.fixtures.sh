# Fixtures of session.table: scripts that source themselves or each other, a folder and a binary
# file given as scripts, and very long lines (generated, up to 1 MB).
echo 'source loop.rnn' >loop.rnn
echo 'source pong.rnn' >ping.rnn; echo 'source ping.rnn' >pong.rnn
printf 'source fork.rnn\nsource fork.rnn\nsource fork.rnn\n' >fork.rnn   # 3^16 calls with --keep-going
mkdir -p a_folder
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\003\000>\000status\n' >prog.bin
printf 'load demo\nbogus\nexpect train.count == 2000\n' >two_errors.rnn
# words: 70 unquoted words (above the old limit of 64 arguments); 20,000 in a -c of 100 KB
words() { i=0; while [ "$i" -lt "$1" ]; do printf '%s ' "$2"; i=$((i + 1)); done; }
printf 'load demo; tokenize oov_token=X; encode %s\n' "$(words 20000 zz)" >words_20000.cmd
kv=$(i=0; while [ "$i" -lt 65 ]; do printf 'c%d=pos.txt ' "$i"; i=$((i + 1)); done)
printf 'load lines %s\n' "$kv" >classes_65.rnn
# long script lines: 100,000 words (590 KB), one word of 1 MB, 100,000 empty commands
{ echo 'source ready_model.rnn'; printf 'predict '; seq -s ' ' 1 100000; } >long_words.rnn
{ echo 'source ready_data.rnn'; printf "encode '"; head -c 1000000 /dev/zero | tr '\0' a; echo "'"; } >long_word.rnn
{ head -c 100000 /dev/zero | tr '\0' ';'; echo 'status'; } >semicolons.rnn
{ printf 'add Dense('; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; echo ')'; } >deep_call.rnn
printf 'source ready_data.rnn\ndecode [%s]\n' "$(seq -s ', ' 1 100000)" >long_list.rnn
{ printf 'source ready_data.rnn\npad maxlen='; head -c 3000 /dev/zero | tr '\0' x | sed 's/x/é/g'; echo; } >long_value.rnn
