# Fixtures of model.table (sourced in the scratch folder, after common.fixtures.sh).
# many.txt: 300,000 one-line texts (3 MB): padded to 1,000,000 ids they would take 1.2 TB.
seq 1 300000 | sed 's/^/line /' >many.txt
# explain_long.rnn: explain of 60,000 words (a 300 KB line): memory linear in the words, not quadratic.
{ echo 'source ready_model.rnn'; printf 'explain '; i=0; while [ $i -lt 60000 ]; do printf 'good '; i=$((i + 1)); done; echo; } >explain_long.rnn
# blank_lines.txt: three texts, the second empty (predict gives it a row too), the third with a
# comma and quotes (quoted in predict's CSV).
printf 'good movie\n\nbad, "awful" film\n' >blank_lines.txt
