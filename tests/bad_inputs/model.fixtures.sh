# Fixtures of model.table (sourced in the scratch folder, after common.fixtures.sh).
# many.txt: 5,000 one-line texts, so that padding them long is a big allocation (pad's estimate).
i=0; : >many.txt
while [ $i -lt 5000 ]; do echo "line $i"; i=$((i + 1)); done >many.txt
# explain_long.rnn: explain of 60,000 words (a 300 KB line): memory linear in the words, not quadratic.
{ echo 'source ready_model.rnn'; printf 'explain '; i=0; while [ $i -lt 60000 ]; do printf 'good '; i=$((i + 1)); done; echo; } >explain_long.rnn
