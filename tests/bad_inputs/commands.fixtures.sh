# Fixtures of commands.table: scripts that bring a session to the point where a command can be
# typed wrong (data tokenized; a compiled model on padded data; one run named r1).
echo 'load lines pos=pos.txt neg=neg.txt test_split=0.25; tokenize' >ready_data.rnn
cat >ready_model.rnn <<'EOS'
source ready_data.rnn
pad maxlen=8
add Embedding(50, 4); add SimpleRNN(4); add Dense(1, activation='sigmoid')
compile optimizer=adam loss=binary_crossentropy
EOS
printf 'source ready_model.rnn\nfit epochs=1 batch_size=20 name=r1\n' >ready_fit.rnn
printf 'not a pipeline\n' >not_saved.rnnlab
