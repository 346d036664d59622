# Fixtures of model.table (sourced in the scratch folder, after common.fixtures.sh).
# many.txt: 5,000 one-line texts, so that padding them long is a big allocation (pad's estimate).
i=0; : >many.txt
while [ $i -lt 5000 ]; do echo "line $i"; i=$((i + 1)); done >many.txt
