// The parts of ncurses (wide-character build) fleetroll's terminal view uses. ncurses exposes
// several of them as macros or mutable globals, which Swift cannot use directly; these small
// functions wrap them.
#ifndef FLEETROLL_CNCURSES_SHIM_H
#define FLEETROLL_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/curses.h>

static inline WINDOW *fr_stdscr(void) { return stdscr; }
static inline int fr_lines(void) { return LINES; }
static inline int fr_cols(void) { return COLS; }
static inline int fr_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int fr_attr_bold(void) { return (int)A_BOLD; }
static inline int fr_attr_reverse(void) { return (int)A_REVERSE; }
static inline int fr_attr_dim(void) { return (int)A_DIM; }
static inline void fr_set_utf8_locale(void) { setlocale(LC_ALL, ""); }
static inline int fr_addnstr(int y, int x, const char *s, int n) { return mvaddnstr(y, x, s, n); }
static inline int fr_attron(int a) { return attron(a); }
static inline int fr_attroff(int a) { return attroff(a); }
static inline int fr_clrtoeol(void) { return clrtoeol(); }
static inline int fr_move(int y, int x) { return move(y, x); }
/* newterm on the process's own terminal: unlike initscr, it returns NULL instead of exiting when
   the terminal type is unknown. */
static inline SCREEN *fr_newterm(void) { return newterm(NULL, stdout, stdin); }
static inline int fr_colors(void) { return COLORS; }
static inline int fr_color_pairs(void) { return COLOR_PAIRS; }
static inline int fr_attr_underline(void) { return (int)A_UNDERLINE; }
static inline int fr_attrset(int a) { return attrset(a); }
static inline int fr_addstr(const char *s) { return addstr(s); }

#endif
