/* Service names: the real IANA registry CSV (known names, records with
 * quoted line breaks and what follows them, ranges, unnamed records),
 * hand-built CSVs (reordered columns, quotes, commas, line numbers in
 * refusals, UTF-8-safe cuts), the shipped etc/ports.conf overlay, every
 * annotation refusal with its exact message, and port labels. Expected
 * values come from the registry file as published or from how the inputs
 * below were written. */
#include "enrich/services.h"
#include "harness.h"

#include <ctype.h>
#include <unistd.h>

static char iana_path[512];

static const char *iana(void)
{
    snprintf(iana_path, sizeof iana_path, "%s/iana/service-names-port-numbers.csv",
             tt_test_shared());
    return iana_path;
}

/* The registry loaded into a fresh table (annotations too if asked). */
static struct tt_services *load(int annotations)
{
    struct tt_err err = {{0}};
    struct tt_services *s = tt_services_new();
    int rc = tt_services_load_iana(s, iana(), &err);
    if (rc)
        fprintf(stderr, "load_iana: %s\n", err.msg);
    CHECK_EQ_U64(rc, TT_OK);
    if (annotations) {
        rc = tt_services_load_annotations(s, "etc/ports.conf", &err);
        if (rc)
            fprintf(stderr, "load_annotations: %s\n", err.msg);
        CHECK_EQ_U64(rc, TT_OK);
    }
    return s;
}

static const char *name_of(const struct tt_services *s, uint8_t proto, uint16_t port)
{
    struct tt_service sv;
    return tt_service_lookup(s, proto, port, &sv) == TT_OK ? sv.name : "(none)";
}

static const char *desc_of(const struct tt_services *s, uint8_t proto, uint16_t port)
{
    struct tt_service sv;
    return tt_service_lookup(s, proto, port, &sv) == TT_OK ? sv.desc : "(none)";
}

static void test_iana_known(void)
{
    struct tt_services *s = load(0);
    CHECK_EQ_STR(name_of(s, 6, 22), "ssh");
    CHECK_EQ_STR(name_of(s, 132, 22), "ssh");
    CHECK_EQ_STR(name_of(s, 6, 23), "telnet");
    CHECK_EQ_STR(name_of(s, 6, 6379), "redis");
    CHECK_EQ_STR(name_of(s, 17, 53), "domain");
    CHECK_EQ_STR(name_of(s, 17, 123), "ntp");
    CHECK_EQ_STR(name_of(s, 17, 1900), "ssdp");
    CHECK_EQ_STR(name_of(s, 6, 2323), "3d-nfsd");
    CHECK_EQ_STR(name_of(s, 6, 80), "http"); /* first of http, www, www-http */
    struct tt_service sv;
    CHECK_EQ_U64(tt_service_lookup(s, 6, 22, &sv), TT_OK);
    CHECK_EQ_STR(sv.desc, "The Secure Shell (SSH) Protocol");
    CHECK_EQ_STR(sv.ref, "[RFC4251]");
    CHECK_EQ_U64(sv.annotated, 0);
    CHECK_EQ_STR(desc_of(s, 6, 6379), "An advanced key-value cache and store");
    CHECK_EQ_U64(tt_service_lookup(s, 6, 9530, &sv), TT_ENOTFOUND);
    CHECK_EQ_U64(tt_service_lookup(s, 1, 22, &sv), TT_ENOTFOUND); /* ICMP has no ports */
    tt_services_free(s);
}

/* The quoted Description of `prefix` in the raw file, with each run of
 * blanks made one space: computed here, without the loader. */
static void raw_desc(const char *prefix, char *out, size_t size)
{
    FILE *f = fopen(iana(), "rb");
    static char buf[2 << 20];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    out[0] = '\0';
    const char *p = strstr(buf, prefix), *q = p ? strchr(p + strlen(prefix), '"') : NULL;
    if (!p || !q)
        return;
    size_t o = 0;
    int space = 0;
    for (p += strlen(prefix); p < q && o + 2 < size; p++) {
        if (isspace((unsigned char)*p)) {
            space = 1;
            continue;
        }
        if (space && o)
            out[o++] = ' ';
        space = 0;
        out[o++] = *p;
    }
    out[o] = '\0';
}

static void test_iana_multiline(void)
{
    struct tt_services *s = load(0);
    /* lines 10512-10515: the tcp and udp records wrap with different indents */
    const char *nexgen = "Secondary, (non ANDI) multi-protocol multi-function interface to the "
                         "Allied ANDI-based family of forecourt controllers";
    CHECK_EQ_STR(name_of(s, 6, 6629), "nexgen-aux");
    CHECK_EQ_STR(desc_of(s, 6, 6629), nexgen);
    CHECK_EQ_STR(desc_of(s, 17, 6629), nexgen);
    CHECK_EQ_STR(name_of(s, 6, 6628), "afesc-mc"); /* the record before */
    CHECK_EQ_STR(name_of(s, 6, 6630), "(none)");   /* after: unassigned, no name */
    CHECK_EQ_STR(name_of(s, 6, 6632), "mxodbc-connect");
    CHECK_EQ_STR(desc_of(s, 6, 6632), "eGenix mxODBC Connect");
    /* four physical lines */
    char want[512];
    raw_desc("sruth,38800,tcp,\"", want, sizeof want);
    CHECK(strlen(want) > 100);
    CHECK_EQ_STR(desc_of(s, 6, 38800), want);
    CHECK_EQ_STR(name_of(s, 6, 38865), "secrmmsafecopya");
    CHECK_EQ_STR(desc_of(s, 6, 38865),
                 "Security approval process for use of the secRMM SafeCopy program");
    /* line breaks in Assignment Notes (63) and in Reference (7202) */
    CHECK_EQ_STR(name_of(s, 6, 64), "covia");
    CHECK_EQ_STR(desc_of(s, 17, 64), "Communications Integrator (CI)");
    struct tt_service sv;
    CHECK_EQ_U64(tt_service_lookup(s, 6, 7202, &sv), TT_OK);
    CHECK_EQ_STR(sv.name, "pon-ictp");
    CHECK(strncmp(sv.ref,
                  "[TR-352][Inter-Channel-Termination protocol (ICTP) is a peer-to-peer "
                  "protocol with a binary message format that is used by",
                  120) == 0);
    CHECK(strchr(sv.ref, '\n') == NULL && strchr(sv.desc, '\n') == NULL);
    tt_services_free(s);
}

/* Ports named per protocol, counted over the whole file by Python's csv
 * module (first record per port, ranges expanded, records without a name,
 * port or protocol left out): tcp 5946, udp 5556, sctp 87, dccp 9. */
static void test_iana_counts(void)
{
    struct tt_services *s = load(0);
    static const uint8_t protos[4] = {6, 17, 132, 33};
    static const unsigned want[4] = {5946, 5556, 87, 9};
    for (int p = 0; p < 4; p++) {
        unsigned n = 0;
        struct tt_service sv;
        for (uint32_t port = 0; port < 65536; port++)
            n += tt_service_lookup(s, protos[p], (uint16_t)port, &sv) == TT_OK;
        CHECK_EQ_U64(n, want[p]);
    }
    tt_services_free(s);
}

static void test_iana_range_and_unnamed(void)
{
    struct tt_services *s = load(0);
    /* x11,6000-6063,tcp and udp */
    CHECK_EQ_STR(name_of(s, 6, 6000), "x11");
    CHECK_EQ_STR(name_of(s, 6, 6031), "x11");
    CHECK_EQ_STR(name_of(s, 17, 6063), "x11");
    CHECK_EQ_STR(name_of(s, 6, 6064), "ndl-ahp-svc");
    CHECK_EQ_STR(desc_of(s, 17, 6010), "X Window System");
    /* ",0,tcp,Reserved" and ",225-241,,Unassigned": no name, skipped */
    CHECK_EQ_STR(name_of(s, 6, 0), "(none)");
    CHECK_EQ_STR(name_of(s, 17, 0), "(none)");
    CHECK_EQ_STR(name_of(s, 6, 230), "(none)");
    /* "active-net,3322-3325,," has a name but no protocol: skipped */
    CHECK_EQ_STR(name_of(s, 6, 3323), "(none)");
    tt_services_free(s);
}

#define HDR "Service Name,Port Number,Transport Protocol,Description,Reference\n"

static int write_file(const char *name, const char *text, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", tt_test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fwrite(text, 1, strlen(text), f);
    return fclose(f);
}

/* Columns in another order, one extra; line numbers in the comments. */
static const char INLINE_CSV[] =
    "Port Number,Extra,Service Name,Transport Protocol,Reference,Description\r\n" /* 1 */
    "22,x,ssh,tcp,[RFC4251],\"Secure, shell\"\r\n"                                /* 2 */
    "7,\"multi\nline\nextra, with comma\",echo,udp,,\"Echo\n"                     /* 3-5 */
    "    service, with \"\"quotes\"\"\"\r\n"                                      /* 6 */
    "\r\n"                                                                        /* 7 */
    "100-102,,rng,tcp,,Range\r\n"                                                 /* 8 */
    "101,,other,tcp,,Loses to the range\r\n"                                      /* 9 */
    "22,,ssh2,tcp,,The second record for 22/tcp\r\n"                              /* 10 */
    "5,,,tcp,,no name\r\n"                                                        /* 11 */
    "6,,noproto,,,no protocol\r\n"                                                /* 12 */
    ",,noport,tcp,,no port\r\n"                                                   /* 13 */
    "200,,single,tcp,,\r\n"                                                       /* 14 */
    "199-201,,span,tcp,,\r\n"                                                     /* 15 */
    "9,,last,sctp,,\"no line break at the end\"";                                 /* 16 */

static void test_iana_inline(void)
{
    char path[512];
    struct tt_err err = {{0}};
    CHECK(write_file("inline.csv", INLINE_CSV, path, sizeof path) == 0);
    struct tt_services *s = tt_services_new();
    int rc = tt_services_load_iana(s, path, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    CHECK_EQ_U64(rc, TT_OK);
    struct tt_service sv;
    CHECK_EQ_U64(tt_service_lookup(s, 6, 22, &sv), TT_OK);
    CHECK_EQ_STR(sv.name, "ssh");
    CHECK_EQ_STR(sv.desc, "Secure, shell");
    CHECK_EQ_STR(sv.ref, "[RFC4251]");
    CHECK_EQ_STR(name_of(s, 17, 7), "echo");
    CHECK_EQ_STR(desc_of(s, 17, 7), "Echo service, with \"quotes\"");
    CHECK_EQ_STR(name_of(s, 6, 7), "(none)");
    CHECK_EQ_STR(name_of(s, 6, 99), "(none)");
    CHECK_EQ_STR(name_of(s, 6, 100), "rng");
    CHECK_EQ_STR(name_of(s, 6, 101), "rng");
    CHECK_EQ_STR(name_of(s, 6, 102), "rng");
    CHECK_EQ_STR(name_of(s, 6, 103), "(none)");
    CHECK_EQ_STR(name_of(s, 6, 5), "(none)");
    CHECK_EQ_STR(name_of(s, 6, 6), "(none)");
    CHECK_EQ_STR(name_of(s, 17, 6), "(none)");
    CHECK_EQ_STR(name_of(s, 6, 199), "span"); /* a range keeps what was named before */
    CHECK_EQ_STR(name_of(s, 6, 200), "single");
    CHECK_EQ_STR(name_of(s, 6, 201), "span");
    CHECK_EQ_STR(name_of(s, 132, 9), "last");
    CHECK_EQ_STR(desc_of(s, 132, 9), "no line break at the end");
    /* a second registry fills only free ports */
    const char *second = HDR "new,22,tcp,,\nnew,23,tcp,,\n";
    CHECK_EQ_U64(tt_services_parse_iana(s, second, strlen(second), "b.csv", &err), TT_OK);
    CHECK_EQ_STR(name_of(s, 6, 22), "ssh");
    CHECK_EQ_STR(name_of(s, 6, 23), "new");
    tt_services_free(s);
    unlink(path);
    rmdir(tt_test_tmpdir());
}

static void test_iana_cut_utf8(void)
{
    /* 254 'a' + "é" (C3 A9): the first 255 bytes would end inside é */
    static char csv[1024], desc1[300], desc2[300];
    memset(desc1, 'a', 254);
    memcpy(desc1 + 254, "\xC3\xA9", 3);
    memset(desc2, 'a', 253); /* 253 + 2 = 255 bytes fit, the 'b' does not */
    memcpy(desc2 + 253,
           "\xC3\xA9"
           "b",
           4);
    snprintf(csv, sizeof csv,
             "Service Name,Port Number,Transport Protocol,Description,Reference\n"
             "one,1,tcp,%s,\ntwo,2,tcp,%s,\n",
             desc1, desc2);
    struct tt_err err = {{0}};
    struct tt_services *s = tt_services_new();
    CHECK_EQ_U64(tt_services_parse_iana(s, csv, strlen(csv), "cut.csv", &err), TT_OK);
    desc1[254] = '\0';
    CHECK_EQ_STR(desc_of(s, 6, 1), desc1);
    desc2[255] = '\0';
    CHECK_EQ_STR(desc_of(s, 6, 2), desc2);
    CHECK_EQ_U64(strlen(desc_of(s, 6, 2)), TT_SERVICE_DESC_MAX - 1);
    tt_services_free(s);
}

static void test_iana_refused(void)
{
    static char longname[200];
    memset(longname, 'n', 64);
    snprintf(longname + 64, sizeof longname - 64, ",1,tcp,,\n");
    static const struct {
        const char *text, *msg;
        int code;
    } bad[] = {
        {"Service Name,Port Number,Description,Reference\nssh,22,SSH,\n",
         "r.csv:1: not the IANA port registry: no 'Transport Protocol' column", TT_EFORMAT},
        {"a,b,c\n1,2,3\n", "r.csv:1: not the IANA port registry: no 'Service Name' column",
         TT_EFORMAT},
        {"", "r.csv: not the IANA port registry: no header", TT_EFORMAT},
        {HDR "ssh,22,tcp,\"a\nb\",\nbad,70000,tcp,,\n",
         "r.csv:4: port '70000': expected N or N-M within 0..65535", TT_EFORMAT},
        {HDR "\n\nr,10-5,tcp,,\n", "r.csv:4: port '10-5': expected N or N-M within 0..65535",
         TT_EFORMAT},
        {HDR "r,1x,tcp,,\n", "r.csv:2: port '1x': expected N or N-M within 0..65535", TT_EFORMAT},
        {HDR "r,1,tcpx,,\n", "r.csv:2: transport protocol 'tcpx': expected tcp, udp, sctp or dccp",
         TT_EFORMAT},
        {HDR "r,1,tcp,\n", "r.csv:2: 4 fields, the header has 5", TT_EFORMAT},
        {HDR "ok,1,tcp,,\n\"x\ny\",2,tcp,,,\n", "r.csv:3: 6 fields, the header has 5", TT_EFORMAT},
        {HDR "r,1,tcp,a\"b,\n",
         "r.csv:2: bad CSV quoting (a quote inside an unquoted field, or text after a closing "
         "quote)",
         TT_EFORMAT},
        {HDR "r,1,tcp,\"ab\"c,\n",
         "r.csv:2: bad CSV quoting (a quote inside an unquoted field, or text after a closing "
         "quote)",
         TT_EFORMAT},
        {HDR "r,1,tcp,,\nq,2,tcp,\"open\nstill open\n",
         "r.csv:3: quoted field not closed at the end of the file", TT_ETRUNC},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tt_err err = {{0}};
        struct tt_services *s = tt_services_new();
        int rc = tt_services_parse_iana(s, bad[i].text, strlen(bad[i].text), "r.csv", &err);
        CHECK_EQ_U64(rc, bad[i].code);
        CHECK_EQ_STR(err.msg, bad[i].msg);
        CHECK_EQ_STR(name_of(s, 6, 22), "(none)"); /* nothing half-loaded */
        CHECK_EQ_STR(name_of(s, 6, 1), "(none)");
        tt_services_free(s);
    }
    char text[512];
    snprintf(text, sizeof text, HDR "%s", longname);
    struct tt_err err = {{0}};
    struct tt_services *s = tt_services_new();
    CHECK_EQ_U64(tt_services_parse_iana(s, text, strlen(text), "r.csv", &err), TT_ELIMIT);
    CHECK_EQ_STR(err.msg, "r.csv:2: Service Name longer than 63 bytes");
    CHECK(tt_services_load_iana(s, "/nonexistent/ports.csv", &err) == TT_ENOTFOUND);
    CHECK(strncmp(err.msg, "/nonexistent/ports.csv", 22) == 0);
    tt_services_free(s);
}

static void test_annotations_shipped(void)
{
    struct tt_services *s = load(1);
    struct tt_service sv;
    CHECK_EQ_U64(tt_service_lookup(s, 6, 2323, &sv), TT_OK);
    CHECK_EQ_STR(sv.name, "telnet-alt");
    CHECK_EQ_U64(sv.annotated, 1);
    CHECK(strncmp(sv.ref, "https://", 8) == 0);
    CHECK_EQ_STR(name_of(s, 17, 2323), "3d-nfsd"); /* only tcp is annotated */
    CHECK_EQ_STR(name_of(s, 6, 8728), "mikrotik-api");
    CHECK_EQ_STR(name_of(s, 6, 9530), "xiongmai-dvr");
    CHECK_EQ_STR(name_of(s, 6, 5555), "adb");
    CHECK_EQ_STR(name_of(s, 6, 52869), "realtek-upnp");
    CHECK_EQ_STR(name_of(s, 6, 37215), "huawei-hg532");
    CHECK_EQ_U64(tt_service_lookup(s, 6, 37215, &sv), TT_OK);
    CHECK(strstr(sv.ref, "CVE-2017-17215") != NULL);
    CHECK_EQ_U64(tt_service_lookup(s, 6, 52869, &sv), TT_OK);
    CHECK(strstr(sv.ref, "CVE-2014-8361") != NULL);
    CHECK_EQ_U64(tt_service_lookup(s, 6, 2375, &sv), TT_OK);
    CHECK_EQ_STR(sv.name, "docker");
    CHECK_EQ_U64(sv.annotated, 1);
    CHECK(strncmp(sv.ref, "https://docs.docker.com/", 24) == 0);
    CHECK_EQ_U64(tt_service_lookup(s, 6, 22, &sv), TT_OK);
    CHECK_EQ_STR(sv.name, "ssh");
    CHECK_EQ_U64(sv.annotated, 0);
    char buf[96];
    tt_service_label(s, 6, 9530, TT_LANG_EN, buf, sizeof buf);
    CHECK_EQ_STR(buf, "9530/TCP (xiongmai-dvr)");
    tt_services_free(s);

    /* annotations first, registry second: the annotation still wins */
    struct tt_err err = {{0}};
    s = tt_services_new();
    CHECK_EQ_U64(tt_services_load_annotations(s, "etc/ports.conf", &err), TT_OK);
    CHECK_EQ_U64(tt_services_load_iana(s, iana(), &err), TT_OK);
    CHECK_EQ_STR(name_of(s, 6, 2323), "telnet-alt");
    CHECK_EQ_STR(name_of(s, 6, 23), "telnet");
    tt_services_free(s);
}

static void test_annotations_accepted(void)
{
    const char *a = "# comment\n"
                    "\n"
                    "   \t# indented comment\n"
                    "  80/tcp  web-x  \"Über \\ #1 カメラ\"\thttps://example.org/a#frag  \r\n"
                    "65535/udp last \"\" http://e.org\n"
                    "0/sctp zero \"port zero\" https://e.org/0";
    struct tt_err err = {{0}};
    struct tt_services *s = tt_services_new();
    int rc = tt_services_parse_annotations(s, a, strlen(a), "a.conf", &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    CHECK_EQ_U64(rc, TT_OK);
    struct tt_service sv;
    CHECK_EQ_U64(tt_service_lookup(s, 6, 80, &sv), TT_OK);
    CHECK_EQ_STR(sv.name, "web-x");
    CHECK_EQ_STR(sv.desc, "Über \\ #1 カメラ");
    CHECK_EQ_STR(sv.ref, "https://example.org/a#frag");
    CHECK_EQ_STR(desc_of(s, 17, 65535), "");
    CHECK_EQ_STR(name_of(s, 132, 0), "zero");
    /* a later annotation file replaces an earlier one */
    const char *b = "80/tcp web-y \"second\" https://e.org/b\n";
    CHECK_EQ_U64(tt_services_parse_annotations(s, b, strlen(b), "b.conf", &err), TT_OK);
    CHECK_EQ_STR(name_of(s, 6, 80), "web-y");
    CHECK_EQ_STR(name_of(s, 17, 65535), "last");
    tt_services_free(s);
}

static void test_annotations_refused(void)
{
    static char longname[200], longdesc[400], longref[700], longline[1100];
    memcpy(longname, "1/tcp ", 6);
    memset(longname + 6, 'n', 64);
    snprintf(longname + 70, sizeof longname - 70, " \"d\" https://e.org");
    snprintf(longdesc, sizeof longdesc, "1/tcp n \"%0256d\" https://e.org", 0);
    snprintf(longref, sizeof longref, "1/tcp n \"d\" https://e.org/%0504d", 0);
    snprintf(longline, sizeof longline, "#%01024d", 0);
    static const char good[] = "7/udp first \"ok\" https://e.org\n";
    struct {
        const char *line, *msg;
    } bad[] = {
        {"70000/tcp x \"d\" https://e.org", "t.conf:2: port '70000': expected 0..65535"},
        {"/tcp x \"d\" https://e.org", "t.conf:2: port '': expected 0..65535"},
        {"-1/tcp x \"d\" https://e.org", "t.conf:2: port '-1': expected 0..65535"},
        {"80/icmp x \"d\" https://e.org",
         "t.conf:2: protocol 'icmp': expected tcp, udp, sctp or dccp"},
        {"80/TCP x \"d\" https://e.org",
         "t.conf:2: protocol 'TCP': expected tcp, udp, sctp or dccp"},
        {"80 x \"d\" https://e.org", "t.conf:2: '80': expected PORT/PROTO, e.g. 8728/tcp"},
        {"80/tcp \"d\" https://e.org", "t.conf:2: missing service name"},
        {"80/tcp", "t.conf:2: missing service name"},
        {"80/tcp a,b \"d\" https://e.org",
         "t.conf:2: service name 'a,b': use letters, digits, '.', '_', '+' and '-'"},
        {longname, "t.conf:2: service name longer than 63 bytes"},
        {"80/tcp x d https://e.org", "t.conf:2: expected a quoted \"DESCRIPTION\" after the name"},
        {"80/tcp x", "t.conf:2: expected a quoted \"DESCRIPTION\" after the name"},
        {"80/tcp x \"d https://e.org", "t.conf:2: description has no closing quote"},
        {"80/tcp x \"d\"https://e.org", "t.conf:2: expected a blank after the description"},
        {longdesc, "t.conf:2: description longer than 255 bytes"},
        {"80/tcp x \"a\tb\" https://e.org", "t.conf:2: control character in the description"},
        {"80/tcp x \"\xC3\x28\" https://e.org", "t.conf:2: description is not valid UTF-8"},
        {"80/tcp x \"\xED\xA0\x80\" https://e.org", "t.conf:2: description is not valid UTF-8"},
        {"80/tcp x \"d\"", "t.conf:2: missing reference URL"},
        {"80/tcp x \"d\"   ", "t.conf:2: missing reference URL"},
        {"80/tcp x \"d\" CVE-2017-17215",
         "t.conf:2: reference 'CVE-2017-17215': expected an http:// or https:// URL"},
        {"80/tcp x \"d\" https://",
         "t.conf:2: reference 'https://': expected an http:// or https:// URL"},
        {"80/tcp x \"d\" https://e.org/\xC3\xA9", "t.conf:2: reference: only printable ASCII"},
        {longref, "t.conf:2: reference longer than 511 bytes"},
        {"80/tcp x \"d\" https://e.org # note",
         "t.conf:2: unexpected text after the reference: '# note'"},
        {"7/udp again \"d\" https://e.org", "t.conf:2: 7/udp is already on line 1"},
        {longline, "t.conf:2: line longer than 1023 bytes"},
    };
    char text[2048];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "%s%s\n", good, bad[i].line);
        struct tt_err err = {{0}};
        struct tt_services *s = tt_services_new();
        int rc = tt_services_parse_annotations(s, text, strlen(text), "t.conf", &err);
        CHECK_EQ_U64(rc, TT_EINVAL);
        CHECK_EQ_STR(err.msg, bad[i].msg);
        CHECK_EQ_STR(name_of(s, 17, 7), "(none)"); /* line 1 was not kept */
        tt_services_free(s);
    }
    /* a NUL byte, and a duplicate two lines on (past a comment) */
    struct tt_err err = {{0}};
    struct tt_services *s = tt_services_new();
    static const char nul[] = "7/udp a \"d\" https://e.org\n8/udp b \"\0\" https://e.org\n";
    CHECK_EQ_U64(tt_services_parse_annotations(s, nul, sizeof nul - 1, "t.conf", &err), TT_EINVAL);
    CHECK_EQ_STR(err.msg, "t.conf:2: NUL byte");
    const char *dup = "8728/tcp a \"d\" https://e.org\n# x\n8728/tcp b \"d\" https://e.org\n";
    CHECK_EQ_U64(tt_services_parse_annotations(s, dup, strlen(dup), "t.conf", &err), TT_EINVAL);
    CHECK_EQ_STR(err.msg, "t.conf:3: 8728/tcp is already on line 1");
    CHECK(tt_services_load_annotations(s, "/nonexistent/ports.conf", &err) == TT_ENOTFOUND);
    CHECK_EQ_STR(name_of(s, 6, 8728), "(none)");
    tt_services_free(s);
}

static void test_label(void)
{
    char buf[96];
    struct tt_services *empty = tt_services_new();
    tt_service_label(empty, 17, 1234, TT_LANG_EN, buf, sizeof buf);
    CHECK_EQ_STR(buf, "1234/UDP");
    tt_service_label(NULL, 6, 80, TT_LANG_JA, buf, sizeof buf);
    CHECK_EQ_STR(buf, "80/TCP");
    tt_service_label(empty, 47, 5, TT_LANG_EN, buf, sizeof buf);
    CHECK_EQ_STR(buf, "5/PROTO-47");
    tt_services_free(empty);
    struct tt_services *s = load(0);
    tt_service_label(s, 6, 6379, TT_LANG_EN, buf, sizeof buf);
    CHECK_EQ_STR(buf, "6379/TCP (redis)");
    tt_service_label(s, 6, 23, TT_LANG_JA, buf, sizeof buf);
    CHECK_EQ_STR(buf, "23/TCP (telnet)");
    tt_service_label(s, 132, 22, TT_LANG_EN, buf, sizeof buf);
    CHECK_EQ_STR(buf, "22/SCTP (ssh)");
    tt_service_label(s, 6, 9530, TT_LANG_EN, buf, sizeof buf);
    CHECK_EQ_STR(buf, "9530/TCP"); /* before the annotations */
    char small[8];
    tt_service_label(s, 6, 6379, TT_LANG_EN, small, sizeof small);
    CHECK_EQ_STR(small, "6379/TC");
    tt_services_free(s);
}

TT_TESTS(test_iana_known, test_iana_multiline, test_iana_counts, test_iana_range_and_unnamed,
         test_iana_inline, test_iana_cut_utf8, test_iana_refused, test_annotations_shipped,
         test_annotations_accepted, test_annotations_refused, test_label)
