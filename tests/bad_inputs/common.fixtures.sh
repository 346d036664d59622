# Fixtures shared by every table, made in the current (scratch) folder; sourced by table.test.
# Keep each one small and generated here: no data set is committed.
i=0; : >pos.txt; : >neg.txt
while [ $i -lt 40 ]; do
    echo "the film number $i was good and fun" >>pos.txt
    echo "the film number $i was bad and dull" >>neg.txt
    i=$((i + 1))
done
printf 'text,label\n"good, fine",pos\nbad,neg\n' >ok.csv
