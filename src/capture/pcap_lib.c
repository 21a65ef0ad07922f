/* libpcap loaded on first use (pcap_lib.h). */
#include "capture/pcap_lib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static struct rd_pcap_lib lib;
static char load_error[200];
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

/* Looks up a symbol into *fn (a function pointer's storage). */
static int find(void *handle, const char *name, void *fn)
{
    void *sym = dlsym(handle, name);
    if (!sym) {
        snprintf(load_error, sizeof load_error, "cannot load libpcap: it has no %s", name);
        return -1;
    }
    memcpy(fn, &sym, sizeof sym); /* object to function pointer, as POSIX allows */
    return 0;
}

static void load(void)
{
    const char *name = getenv("TEITEN_LIBPCAP");
    void *h = dlopen(name && *name ? name : RD_PCAP_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load libpcap: %s", why ? why : "not found");
        return;
    }
    struct rd_pcap_lib l;
    if (find(h, "pcap_fopen_offline_with_tstamp_precision",
             &l.fopen_offline_with_tstamp_precision) ||
        find(h, "pcap_next_ex", &l.next_ex) || find(h, "pcap_datalink", &l.datalink) ||
        find(h, "pcap_geterr", &l.geterr) || find(h, "pcap_close", &l.close)) {
        dlclose(h);
        return;
    }
    lib = l; /* the handle stays open for the process */
}

const struct rd_pcap_lib *rd_pcap_lib(const char *input, struct tt_err *err)
{
    pthread_once(&loaded, load);
    if (lib.next_ex)
        return &lib;
    tt_err_set(err, TT_ENOTFOUND, "%s: %s (install Debian's libpcap0.8)", input, load_error);
    return NULL;
}
