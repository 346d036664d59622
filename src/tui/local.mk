# The dashboard (its charts come from src/app/chart.c, which `plot` uses too).
noinst_HEADERS += src/tui/dashboard.h src/tui/tui.h src/tui/frame.h
rnnlab_SOURCES += src/tui/layout.c src/tui/theme.c src/tui/draw.c src/tui/actions.c \
	src/tui/prompt.c src/tui/dashboard.c src/tui/panel_data.c src/tui/panel_vocab.c \
	src/tui/panel_model.c src/tui/panel_training.c src/tui/panel_log.c

