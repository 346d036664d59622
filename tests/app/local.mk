# Tests of the program: invocation, commands, scripts, sessions, safe writes, the history file.
EXTRA_DIST += tests/app/common.sh tests/app/update-man.sh $(wildcard $(srcdir)/tests/app/*.test)
EXTRA_DIST += $(wildcard $(srcdir)/tests/app/keras_lines/*.py)
