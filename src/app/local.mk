# The program (owned by the app area).
rnnlab_SOURCES += src/app/main.c
noinst_HEADERS += src/app/app.h
