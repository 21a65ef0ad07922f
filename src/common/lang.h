/* Output languages for names shown to people (countries, services). */
#ifndef TT_LANG_H
#define TT_LANG_H

enum tt_lang { TT_LANG_EN = 0, TT_LANG_JA = 1 };

#endif
