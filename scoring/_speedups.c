/* The learned tier's lookups, compiled (optional: scoring/learned.py and scorer.py keep the
 * pure-Python path as the reference and the fallback; docs/scorer.md "Speed").
 *
 * Table(keys, values, ncols, bias, smoothing, marks) indexes a model's n-grams once:
 *   keys       a sequence of bytes, the model's n-grams (row i of ``values`` is keys[i]);
 *   values     a bytes-like of len(keys) * ncols native doubles: per n-gram idf**2, then
 *              weight * idf per head (learned._packed_rows);
 *   bias       the ncols - 1 heads' biases; smoothing: added to the squared norm;
 *   marks      a dict bytes -> int: bits OR-ed into the result when that n-gram is in a
 *              text (the scorer's anchors and gate words); keys need not be in the model.
 *
 * Table.scan(raw) reads ``raw`` (the translated bytes features.tokens splits) exactly as
 * features.grams does: tokens split on ASCII whitespace (bytes.split()), "rt" dropped, the
 * unigrams and the bigrams "a b" of consecutive tokens, each distinct n-gram counted once.
 * It returns (logits, marks, ntokens, marked): the heads' raw logits as LearnedModel.logits
 * gives them (the bias when no n-gram is known), the OR of the marks of the n-grams
 * present, the number of tokens, and the set of the marked n-grams present (the key
 * objects the table holds: nothing is allocated per n-gram).
 * Table.known(raw) is the set of the model's n-grams present (LearnedModel.without).
 * Table.above(raw, heads, minimum) is, per head index, LearnedModel.contributions(grams,
 * head, minimum) for explanations: the model's n-grams present whose weight * idf reaches
 * minimum * norm, as (gram, weight * idf / norm), largest first, ties by the gram's bytes
 * (the norm summed in reading order: within rounding of the Python sum over a set).
 *
 * The index is open addressing over 64-bit FNV-1a hashes; a slot matches only when the
 * full key bytes are equal, so a hash collision can never change a result. A Table is
 * immutable once built: scan() keeps its working memory on its own stack or heap, so one
 * Table is safe to share between threads (every call holds the GIL: it fills Python sets).
 *
 * Table.scan_text(text) is scan(features.translated(text)) + (the translated bytes,),
 * translated in C: for an ASCII text, the platform noise (links, handles, entities) removed
 * as features.py's regex removes it; for another text, lower-cased by str.lower, the curly
 * apostrophes and the symbols features.py reads as such. None for a text that is not ASCII
 * and holds platform noise (the caller translates it in Python and calls scan).
 *
 * obfuscated(text, span) is scorer._obfuscated(text) for an ASCII str (its three regexes
 * on the lower-cased text, one pass each; False past ``span`` characters), None for any
 * other text (the caller runs the regexes).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL
/* The per-call "seen" bitmap lives on the stack up to this many 64-bit words. */
#define STACK_WORDS 1024

typedef struct {
    uint64_t hash;
    PyObject *key;      /* the key as a bytes object (a strong reference) */
    Py_ssize_t key_off; /* into Table.keys */
    Py_ssize_t key_len;
    Py_ssize_t row;     /* into Table.values (times ncols); -1: not in the model */
    unsigned long marks;
} Entry;

/* What a text's reading needs of one n-gram, in one place (a cache line or two), laid out
 * one after another in Table.arena: the header, ncols doubles (zeros without a row), the
 * key bytes, padded to 8 bytes. */
typedef struct {
    PyObject *key;     /* borrowed: the entry holds the reference */
    uint32_t key_len;
    uint32_t index;    /* the entry's index (the per-call "seen" bitmap) */
    uint32_t marks;
    uint32_t has_row;  /* in the model */
    double values[];   /* ncols, then the key bytes */
} Record;

typedef struct {
    PyObject_HEAD
    Entry *entries;
    Py_ssize_t n_entries;
    Py_ssize_t cap_entries;
    /* 0: empty; else the hash's high 32 bits (a tag: most misses are told without
     * reading an entry) above the entry's index + 1 */
    uint64_t *slots;
    size_t mask;       /* number of slots - 1 (a power of two) */
    /* The same index for reading texts: the tag above the record's offset in
     * ``arena``, in 8-byte words, + 1 */
    uint64_t *hot;
    uint64_t *arena;
    char *keys;
    Py_ssize_t keys_len;
    Py_ssize_t keys_cap;
    double *values; /* the rows while the records are built (NULL after) */
    Py_ssize_t n_rows;
    Py_ssize_t ncols;
    double *bias; /* ncols - 1 */
    double smoothing;
} Table;

static inline uint64_t
fnv_feed(uint64_t h, const unsigned char *p, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

static inline size_t
slot_of(uint64_t h, size_t mask)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h & mask;
}

/* Index of the entry whose key is a (+ " " + b when b is not NULL), or -1. */
static inline Py_ssize_t
find(const Table *t, uint64_t h, const char *a, Py_ssize_t alen, const char *b,
     Py_ssize_t blen)
{
    Py_ssize_t total = b ? alen + 1 + blen : alen;
    size_t i = slot_of(h, t->mask);
    uint64_t tag = h & 0xffffffff00000000ULL;
    for (;;) {
        uint64_t slot = t->slots[i];
        if (slot == 0) {
            return -1;
        }
        if ((slot & 0xffffffff00000000ULL) != tag) {
            i = (i + 1) & t->mask;
            continue;
        }
        Py_ssize_t e = (Py_ssize_t)(slot & 0xffffffffULL) - 1;
        const Entry *en = &t->entries[e];
        if (en->hash == h && en->key_len == total) {
            const char *k = t->keys + en->key_off;
            if (memcmp(k, a, (size_t)alen) == 0
                && (b == NULL
                    || (k[alen] == ' ' && memcmp(k + alen + 1, b, (size_t)blen) == 0))) {
                return e;
            }
        }
        i = (i + 1) & t->mask;
    }
}

static inline const Record *
record_at(const Table *t, uint64_t slot)
{
    return (const Record *)(t->arena + ((slot & 0xffffffffULL) - 1));
}

/* The record whose key is a + " " + b (b not NULL) or a, or NULL. */
static inline const Record *
find_record(const Table *t, uint64_t h, const char *a, Py_ssize_t alen, const char *b,
            Py_ssize_t blen)
{
    Py_ssize_t total = b ? alen + 1 + blen : alen;
    size_t i = slot_of(h, t->mask);
    uint64_t tag = h & 0xffffffff00000000ULL;
    for (;;) {
        uint64_t slot = t->hot[i];
        if (slot == 0) {
            return NULL;
        }
        if ((slot & 0xffffffff00000000ULL) == tag) {
            const Record *r = record_at(t, slot);
            if ((Py_ssize_t)r->key_len == total) {
                const char *k = (const char *)(r->values + t->ncols);
                if (memcmp(k, a, (size_t)alen) == 0
                    && (b == NULL
                        || (k[alen] == ' ' && memcmp(k + alen + 1, b, (size_t)blen) == 0))) {
                    return r;
                }
            }
        }
        i = (i + 1) & t->mask;
    }
}

/* The entry of the bytes ``obj`` (created, with no row and no marks, when absent); -1 on
 * error. */
static Py_ssize_t
intern_key(Table *t, PyObject *obj)
{
    const char *key = PyBytes_AS_STRING(obj);
    Py_ssize_t len = PyBytes_GET_SIZE(obj);
    uint64_t h = fnv_feed(FNV_OFFSET, (const unsigned char *)key, len);
    Py_ssize_t found = find(t, h, key, len, NULL, 0);
    if (found >= 0) {
        return found;
    }
    if (t->n_entries >= t->cap_entries || (size_t)t->n_entries >= t->mask) {
        /* Sized in advance by the constructor: never reached. */
        PyErr_SetString(PyExc_RuntimeError, "scoring._speedups: table full");
        return -1;
    }
    if (len > PY_SSIZE_T_MAX - t->keys_len) {
        PyErr_NoMemory();
        return -1;
    }
    if (t->keys_len + len > t->keys_cap) {
        Py_ssize_t cap = t->keys_cap ? t->keys_cap : 4096;
        while (cap < t->keys_len + len) {
            if (cap > PY_SSIZE_T_MAX / 2) {
                PyErr_NoMemory();
                return -1;
            }
            cap *= 2;
        }
        char *grown = PyMem_Realloc(t->keys, (size_t)cap);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        t->keys = grown;
        t->keys_cap = cap;
    }
    if (len > 0) {
        memcpy(t->keys + t->keys_len, key, (size_t)len);
    }
    Py_ssize_t e = t->n_entries++;
    t->entries[e].hash = h;
    Py_INCREF(obj);
    t->entries[e].key = obj;
    t->entries[e].key_off = t->keys_len;
    t->entries[e].key_len = len;
    t->entries[e].row = -1;
    t->entries[e].marks = 0;
    t->keys_len += len;
    size_t i = slot_of(h, t->mask);
    while (t->slots[i] != 0) {
        i = (i + 1) & t->mask;
    }
    t->slots[i] = (h & 0xffffffff00000000ULL) | (uint64_t)(e + 1);
    return e;
}

static void
Table_dealloc(Table *self)
{
    if (self->entries != NULL) {
        for (Py_ssize_t e = 0; e < self->n_entries; e++) {
            Py_XDECREF(self->entries[e].key);
        }
    }
    PyMem_Free(self->entries);
    PyMem_Free(self->slots);
    PyMem_Free(self->hot);
    PyMem_Free(self->arena);
    PyMem_Free(self->keys);
    PyMem_Free(self->values);
    PyMem_Free(self->bias);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
Table_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"keys", "values", "ncols", "bias", "smoothing", "marks", NULL};
    PyObject *keys_arg, *values_arg, *bias_arg, *marks_arg;
    Py_ssize_t ncols;
    double smoothing;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOnOdO!:Table", kwlist, &keys_arg,
                                     &values_arg, &ncols, &bias_arg, &smoothing,
                                     &PyDict_Type, &marks_arg)) {
        return NULL;
    }
    if (ncols < 1 || ncols > 4096) {
        PyErr_SetString(PyExc_ValueError, "ncols must be within 1..4096");
        return NULL;
    }
    Table *self = (Table *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->ncols = ncols;
    self->smoothing = smoothing;
    PyObject *keys = NULL;
    Py_buffer view = {0};
    int have_view = 0;

    keys = PySequence_Tuple(keys_arg);
    if (keys == NULL) {
        goto fail;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(keys);
    Py_ssize_t n_marks = PyDict_GET_SIZE(marks_arg);
    if (n > PY_SSIZE_T_MAX / 4 - n_marks || n > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(double) / ncols) {
        PyErr_NoMemory();
        goto fail;
    }
    self->n_rows = n;

    /* the values: exactly n * ncols doubles, copied (the table owns its memory) */
    if (PyObject_GetBuffer(values_arg, &view, PyBUF_SIMPLE) < 0) {
        goto fail;
    }
    have_view = 1;
    if (view.len != n * ncols * (Py_ssize_t)sizeof(double)) {
        PyErr_Format(PyExc_ValueError, "values hold %zd bytes, expected %zd", view.len,
                     n * ncols * (Py_ssize_t)sizeof(double));
        goto fail;
    }
    self->values = PyMem_Malloc(view.len > 0 ? (size_t)view.len : 1);
    if (self->values == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    if (view.len > 0) {
        memcpy(self->values, view.buf, (size_t)view.len);
    }
    PyBuffer_Release(&view);
    have_view = 0;

    /* the heads' biases */
    /* a tuple: converting an item (__float__) cannot change its length */
    PyObject *bias = PySequence_Tuple(bias_arg);
    if (bias == NULL) {
        goto fail;
    }
    if (PyTuple_GET_SIZE(bias) != ncols - 1) {
        Py_DECREF(bias);
        PyErr_Format(PyExc_ValueError, "bias holds %zd values, expected %zd",
                     PyTuple_GET_SIZE(bias), ncols - 1);
        goto fail;
    }
    self->bias = PyMem_Malloc(sizeof(double) * (size_t)ncols);
    if (self->bias == NULL) {
        Py_DECREF(bias);
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < ncols - 1; i++) {
        double b = PyFloat_AsDouble(PyTuple_GET_ITEM(bias, i));
        if (b == -1.0 && PyErr_Occurred()) {
            Py_DECREF(bias);
            goto fail;
        }
        self->bias[i] = b;
    }
    Py_DECREF(bias);

    /* the index: at most n + n_marks entries (fewer than 2**32 - 1: the slots hold an
     * entry's index in 32 bits), slots at least twice that */
    if (n + n_marks >= 0xffffffffLL) {
        PyErr_SetString(PyExc_ValueError, "too many n-grams for the index");
        goto fail;
    }
    self->cap_entries = n + n_marks;
    self->entries = PyMem_Malloc(sizeof(Entry) * (size_t)(self->cap_entries > 0 ? self->cap_entries : 1));
    size_t nslots = 16;
    while (nslots < (size_t)self->cap_entries * 2) {
        nslots *= 2;
    }
    self->slots = PyMem_Calloc(nslots, sizeof(uint64_t));
    if (self->entries == NULL || self->slots == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    self->mask = nslots - 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *k = PyTuple_GET_ITEM(keys, i);
        if (!PyBytes_Check(k)) {
            PyErr_Format(PyExc_TypeError, "keys[%zd] is %.100s, not bytes", i,
                         Py_TYPE(k)->tp_name);
            goto fail;
        }
        Py_ssize_t e = intern_key(self, k);
        if (e < 0) {
            goto fail;
        }
        self->entries[e].row = i; /* a repeated key: the last row wins, as in a dict */
    }
    Py_CLEAR(keys);

    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(marks_arg, &pos, &k, &v)) {
        if (!PyBytes_Check(k)) {
            PyErr_Format(PyExc_TypeError, "a marks key is %.100s, not bytes",
                         Py_TYPE(k)->tp_name);
            goto fail;
        }
        unsigned long bits = PyLong_AsUnsignedLong(v);
        if (bits == (unsigned long)-1 && PyErr_Occurred()) {
            goto fail;
        }
        Py_ssize_t e = intern_key(self, k);
        if (e < 0) {
            goto fail;
        }
        self->entries[e].marks |= bits;
    }

    /* the records, one after another, and the slots that find them */
    size_t words = 0;
    size_t head = sizeof(Record) / 8 + (size_t)ncols;
    for (Py_ssize_t e = 0; e < self->n_entries; e++) {
        if (self->entries[e].marks > 0xffffffffUL) {
            PyErr_SetString(PyExc_ValueError, "marks must fit in 32 bits");
            goto fail;
        }
        words += head + ((size_t)self->entries[e].key_len + 7) / 8;
    }
    if (words >= 0xffffffffULL || (size_t)self->n_entries >= 0xffffffffULL) {
        PyErr_SetString(PyExc_ValueError, "too many n-grams for the index");
        goto fail;
    }
    self->arena = PyMem_Calloc(words ? words : 1, sizeof(uint64_t));
    self->hot = PyMem_Calloc(self->mask + 1, sizeof(uint64_t));
    if (self->arena == NULL || self->hot == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    size_t offset = 0;
    for (size_t i = 0; i <= self->mask; i++) {
        uint64_t slot = self->slots[i];
        if (slot == 0) {
            continue;
        }
        const Entry *en = &self->entries[(slot & 0xffffffffULL) - 1];
        Record *r = (Record *)(self->arena + offset);
        r->key = en->key;
        r->key_len = (uint32_t)en->key_len;
        r->index = (uint32_t)((slot & 0xffffffffULL) - 1);
        r->marks = (uint32_t)en->marks;
        r->has_row = en->row >= 0;
        if (en->row >= 0) {
            memcpy(r->values, self->values + en->row * ncols, sizeof(double) * (size_t)ncols);
        }
        if (en->key_len > 0) {
            memcpy(r->values + ncols, self->keys + en->key_off, (size_t)en->key_len);
        }
        self->hot[i] = (slot & 0xffffffff00000000ULL) | (uint64_t)(offset + 1);
        offset += head + ((size_t)en->key_len + 7) / 8;
    }
    /* the rows now live in the records */
    PyMem_Free(self->values);
    self->values = NULL;
    return (PyObject *)self;

fail:
    if (have_view) {
        PyBuffer_Release(&view);
    }
    Py_XDECREF(keys);
    Py_DECREF(self);
    return NULL;
}

typedef struct {
    uint64_t *seen; /* one bit per entry */
    double *sums;   /* ncols */
    Py_ssize_t known;
    unsigned long marks;
    /* With the GIL held only: the keys of the marked n-grams found (scan), or of the
     * model's (known); a failed insertion sets ``failed`` and the reading stops. */
    PyObject *marked;
    PyObject *model;
    int failed;
    /* When not NULL (above): the records of the model's n-grams found, in the order read
     * (``known`` of them; room for ``cap``, grown on the heap; NULL on failure). */
    const Record **hits;
    Py_ssize_t cap;
} Found;

/* Appends r to f->hits (before f->known counts it): 0 with MemoryError set on failure. */
static int
keep_hit(Found *f, const Record *r)
{
    if (f->known >= f->cap) {
        Py_ssize_t cap = f->cap * 2;
        const Record **grown = PyMem_Realloc(f->hits, (size_t)cap * sizeof(Record *));
        if (grown == NULL) {
            PyErr_NoMemory();
            f->failed = 1;
            return 0;
        }
        f->hits = grown;
        f->cap = cap;
    }
    f->hits[f->known] = r;
    return 1;
}

static inline void
take(const Table *t, Found *f, const Record *r)
{
    uint32_t e = r->index;
    uint64_t bit = (uint64_t)1 << (e & 63);
    if (f->seen[e >> 6] & bit) {
        return; /* binary presence: an n-gram counts once */
    }
    f->seen[e >> 6] |= bit;
    f->marks |= r->marks;
    if (f->marked != NULL && r->marks != 0 && PySet_Add(f->marked, r->key) < 0) {
        f->failed = 1;
    }
    if (f->model != NULL && r->has_row && PySet_Add(f->model, r->key) < 0) {
        f->failed = 1;
    }
    if (r->has_row) {
        if (f->hits != NULL && !keep_hit(f, r)) {
            return;
        }
        for (Py_ssize_t c = 0; c < t->ncols; c++) {
            f->sums[c] += r->values[c];
        }
        f->known++;
    }
}

/* bytes.split()'s whitespace */
static inline int
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c';
}

static Py_ssize_t
read_text(const Table *t, Found *f, const char *s, Py_ssize_t len)
{
    Py_ssize_t ntokens = 0;
    const char *prev = NULL;
    Py_ssize_t prev_len = 0;
    uint64_t prev_hash = 0;
    Py_ssize_t i = 0;
    while (i < len && !f->failed) {
        while (i < len && is_space((unsigned char)s[i])) {
            i++;
        }
        if (i >= len) {
            break;
        }
        Py_ssize_t start = i;
        while (i < len && !is_space((unsigned char)s[i])) {
            i++;
        }
        const char *tok = s + start;
        Py_ssize_t tlen = i - start;
        if (tlen == 2 && tok[0] == 'r' && tok[1] == 't') {
            continue; /* a retweet mark: dropped, the words around it become a bigram */
        }
        ntokens++;
        uint64_t h = fnv_feed(FNV_OFFSET, (const unsigned char *)tok, tlen);
        const Record *r = find_record(t, h, tok, tlen, NULL, 0);
        if (r != NULL) {
            take(t, f, r);
        }
        if (prev != NULL) {
            uint64_t hb = prev_hash;
            hb ^= (unsigned char)' ';
            hb *= FNV_PRIME;
            hb = fnv_feed(hb, (const unsigned char *)tok, tlen);
            r = find_record(t, hb, prev, prev_len, tok, tlen);
            if (r != NULL) {
                take(t, f, r);
            }
        }
        prev = tok;
        prev_len = tlen;
        prev_hash = h;
    }
    return ntokens;
}

/* Reads ``raw`` into ``f`` (sums, marks, the sets asked for); the number of tokens, or -1
 * with an exception set. */
static Py_ssize_t
read_bytes(Table *self, const char *s, Py_ssize_t len, Found *f)
{
    Py_ssize_t words = (self->n_entries + 63) / 64;
    uint64_t stack_seen[STACK_WORDS];
    uint64_t *seen = stack_seen;
    if (words > STACK_WORDS) {
        seen = PyMem_Calloc((size_t)words, sizeof(uint64_t));
        if (seen == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    else {
        memset(stack_seen, 0, sizeof(uint64_t) * (size_t)words);
    }
    f->seen = seen;
    Py_ssize_t ntokens = read_text(self, f, s, len);
    if (seen != stack_seen) {
        PyMem_Free(seen);
    }
    f->seen = NULL;
    return f->failed ? -1 : ntokens;
}

/* Zeroed room for a table's ncols column sums: ``stack`` (SUMS_ON_STACK doubles) when they
 * fit, else the heap; NULL with MemoryError set. Given back by free_sums. */
#define SUMS_ON_STACK 64

static double *
zeroed_sums(const Table *t, double *stack)
{
    if (t->ncols > SUMS_ON_STACK) {
        double *sums = PyMem_Calloc((size_t)t->ncols, sizeof(double));
        if (sums == NULL) {
            PyErr_NoMemory();
        }
        return sums;
    }
    memset(stack, 0, sizeof(double) * (size_t)t->ncols);
    return stack;
}

static void
free_sums(double *sums, const double *stack)
{
    if (sums != stack) {
        PyMem_Free(sums);
    }
}

/* scan() of the bytes s[0:len]: (logits, marks, ntokens, marked) */
static PyObject *
scan_bytes(Table *self, const char *s, Py_ssize_t len)
{
    double stack_sums[SUMS_ON_STACK];
    double *sums = zeroed_sums(self, stack_sums);
    if (sums == NULL) {
        return NULL;
    }
    PyObject *marked = PySet_New(NULL);
    PyObject *logits = NULL;
    Found f = {NULL, sums, 0, 0, marked, NULL, 0, NULL, 0};
    Py_ssize_t ntokens = marked != NULL ? read_bytes(self, s, len, &f) : -1;
    if (ntokens >= 0) {
        Py_ssize_t heads = self->ncols - 1;
        logits = PyTuple_New(heads);
        if (logits != NULL) {
            double norm = f.known ? sqrt(sums[0] + self->smoothing) : 1.0;
            for (Py_ssize_t c = 0; c < heads; c++) {
                double z = f.known ? self->bias[c] + sums[c + 1] / norm : self->bias[c];
                PyObject *item = PyFloat_FromDouble(z);
                if (item == NULL) {
                    Py_CLEAR(logits);
                    break;
                }
                PyTuple_SET_ITEM(logits, c, item);
            }
        }
    }
    free_sums(sums, stack_sums);
    if (logits == NULL) {
        Py_XDECREF(marked);
        return NULL;
    }
    return Py_BuildValue("(NknN)", logits, f.marks, ntokens, marked);
}

static PyObject *
Table_scan(Table *self, PyObject *raw)
{
    if (!PyBytes_Check(raw)) {
        PyErr_Format(PyExc_TypeError, "scan() takes bytes, not %.100s", Py_TYPE(raw)->tp_name);
        return NULL;
    }
    return scan_bytes(self, PyBytes_AS_STRING(raw), PyBytes_GET_SIZE(raw));
}

/* bytes.replace(a + b, b"  ") in place: non-overlapping, left to right */
static void
blank_pairs(char *buf, Py_ssize_t len, char a, char b)
{
    Py_ssize_t i = 0;
    while (i + 1 < len) {
        if (buf[i] == a && buf[i + 1] == b) {
            buf[i] = ' ';
            buf[i + 1] = ' ';
            i += 2;
        }
        else {
            i++;
        }
    }
}

static inline unsigned char
ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* re's \s (str.isspace) among ASCII characters */
static inline int
ascii_space(unsigned char c)
{
    return c == ' ' || (c >= 9 && c <= 13) || (c >= 28 && c <= 31);
}

static inline int
at(const Py_UCS1 *p, Py_ssize_t n, Py_ssize_t i, const char *word)
{
    for (Py_ssize_t k = 0; word[k]; k++) {
        if (i + k >= n || ascii_lower(p[i + k]) != (unsigned char)word[k]) {
            return 0;
        }
    }
    return 1;
}

/* The length of the match of features._NOISE at p[i] of the lower-cased text (0: none):
 * https?://\S+ | www\.\S+ | @\w+ | &(?:amp|lt|gt|quot|#\d+);?  (ASCII text: \w is
 * [a-z0-9_] once lower-cased) */
static Py_ssize_t
noise_at(const Py_UCS1 *p, Py_ssize_t n, Py_ssize_t i)
{
    unsigned char c = ascii_lower(p[i]);
    Py_ssize_t j;
    if (c == 'h' || c == 'w') {
        if (c == 'h') {
            if (!at(p, n, i, "http")) {
                return 0;
            }
            j = i + 4;
            if (j < n && ascii_lower(p[j]) == 's') {
                j++; /* "https": without the s, ":" would have to be where the s is */
            }
            if (!at(p, n, j, "://")) {
                return 0;
            }
            j += 3;
        }
        else {
            if (!at(p, n, i, "www.")) {
                return 0;
            }
            j = i + 4;
        }
        Py_ssize_t k = j;
        while (k < n && !ascii_space(p[k])) {
            k++;
        }
        return k > j ? k - i : 0; /* \S+: at least one */
    }
    if (c == '@') {
        Py_ssize_t k = i + 1;
        while (k < n) {
            unsigned char d = ascii_lower(p[k]);
            if (!((d >= 'a' && d <= 'z') || (d >= '0' && d <= '9') || d == '_')) {
                break;
            }
            k++;
        }
        return k > i + 1 ? k - i : 0;
    }
    if (c == '&') {
        j = i + 1;
        if (at(p, n, j, "amp")) {
            j += 3;
        }
        else if (at(p, n, j, "lt") || at(p, n, j, "gt")) {
            j += 2;
        }
        else if (at(p, n, j, "quot")) {
            j += 4;
        }
        else if (j < n && p[j] == '#') {
            Py_ssize_t k = j + 1;
            while (k < n && p[k] >= '0' && p[k] <= '9') {
                k++;
            }
            if (k == j + 1) {
                return 0;
            }
            j = k;
        }
        else {
            return 0;
        }
        if (j < n && p[j] == ';') {
            j++;
        }
        return j - i;
    }
    return 0;
}

/* A byte that stays in a word of features.translated: an ASCII letter (lower-cased), a
 * digit, an apostrophe or an underscore */
static inline int
word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\'' || c == '_';
}

/* The end of features.translated, for the m - 1 bytes written from buf[1]: without a
 * quote mark they move to buf[0]; with one, padded with a space at each end, a quote mark
 * that opens or closes a word becomes punctuation. The length. */
static Py_ssize_t
finish_translation(char *buf, Py_ssize_t m, int quote)
{
    if (!quote) {
        memmove(buf, buf + 1, (size_t)(m - 1));
        return m - 1;
    }
    buf[0] = ' ';
    buf[m++] = ' ';
    blank_pairs(buf, m, ' ', '\'');
    blank_pairs(buf, m, '\'', ' ');
    blank_pairs(buf, m, ' ', '\'');
    return m;
}

/* features.translated(text) of an ASCII text into buf (room for n + 2 bytes); its length */
static Py_ssize_t
translate_ascii(const Py_UCS1 *p, Py_ssize_t n, char *buf)
{
    /* lower-cased, platform noise as one space each, every byte that is not a letter, a
     * digit, an apostrophe or an underscore a space; written from buf[1] */
    Py_ssize_t m = 1;
    int quote = 0;
    Py_ssize_t i = 0;
    while (i < n) {
        unsigned char c = ascii_lower(p[i]);
        if (c == 'h' || c == 'w' || c == '@' || c == '&') {
            Py_ssize_t skip = noise_at(p, n, i);
            if (skip > 0) {
                buf[m++] = ' ';
                i += skip;
                continue;
            }
        }
        buf[m++] = word_byte(c) ? (char)c : ' ';
        quote |= c == '\'';
        i++;
    }
    return finish_translation(buf, m, quote);
}

static PyObject *scan_translated(Table *self, const char *buf, Py_ssize_t len);

/* The length of the match of features._UTF8_SYMBOL at s[i] (0: none): general
 * punctuation, arrows to dingbats, the ideographic space, 4-byte characters, variation
 * selectors, U+00A0-00BF */
static inline Py_ssize_t
symbol_at(const unsigned char *s, Py_ssize_t n, Py_ssize_t i)
{
    unsigned char c = s[i];
    if (c == 0xe2 && i + 2 < n) {
        unsigned char d = s[i + 1], e = s[i + 2];
        if ((d == 0x80 || d == 0x81 || (d >= 0x86 && d <= 0x9f)) && e >= 0x80 && e <= 0xbf) {
            return 3;
        }
        return 0;
    }
    if (c == 0xe3 && i + 2 < n && s[i + 1] == 0x80 && s[i + 2] == 0x80) {
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4 && i + 3 < n) {
        for (Py_ssize_t k = 1; k <= 3; k++) {
            if (s[i + k] < 0x80 || s[i + k] > 0xbf) {
                return 0;
            }
        }
        return 4;
    }
    if (c == 0xef && i + 2 < n && s[i + 1] == 0xb8 && s[i + 2] >= 0x80 && s[i + 2] <= 0x8f) {
        return 3;
    }
    if (c == 0xc2 && i + 1 < n && s[i + 1] >= 0xa0 && s[i + 1] <= 0xbf) {
        return 2;
    }
    return 0;
}

/* features.translated of a text whose lower-cased UTF-8 bytes are s[0:n], when it holds no
 * platform noise, into buf (room for n + 2 bytes); its length */
static Py_ssize_t
translate_utf8(const unsigned char *s, Py_ssize_t n, char *buf)
{
    Py_ssize_t m = 1;
    int quote = 0;
    Py_ssize_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            buf[m++] = word_byte(c) ? (char)c : ' ';
            quote |= c == '\'';
            i++;
            continue;
        }
        /* curly apostrophes (U+2019, U+2018) and U+02BC are straight ones */
        if ((c == 0xe2 && i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0x99 || s[i + 2] == 0x98))
            || (c == 0xca && i + 1 < n && s[i + 1] == 0xbc)) {
            buf[m++] = '\'';
            quote = 1;
            i += c == 0xe2 ? 3 : 2;
            continue;
        }
        Py_ssize_t skip = symbol_at(s, n, i);
        if (skip > 0) {
            buf[m++] = ' ';
            i += skip;
            continue;
        }
        buf[m++] = (char)c; /* the bytes of other scripts stay */
        i++;
    }
    return finish_translation(buf, m, quote);
}

/* scan_text for a text that is not ASCII: lower-cased by str.lower, then its UTF-8 bytes;
 * None when it holds platform noise (features.py's Unicode regex) */
static PyObject *
scan_unicode(Table *self, PyObject *text)
{
    PyObject *low = PyObject_CallMethod(text, "lower", NULL);
    if (low == NULL) {
        return NULL;
    }
    if (!PyUnicode_Check(low)) {
        Py_DECREF(low);
        PyErr_SetString(PyExc_TypeError, "str.lower() did not return a str");
        return NULL;
    }
    Py_ssize_t n;
    const char *u = PyUnicode_AsUTF8AndSize(low, &n); /* lone surrogates: UnicodeEncodeError */
    if (u == NULL) {
        Py_DECREF(low);
        return NULL;
    }
    const unsigned char *s = (const unsigned char *)u;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (s[i] == '@' || s[i] == '&' || (s[i] == ':' && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/')
            || (s[i] == 'w' && i + 3 < n && s[i + 1] == 'w' && s[i + 2] == 'w' && s[i + 3] == '.')) {
            Py_DECREF(low);
            Py_RETURN_NONE;
        }
    }
    if (n > PY_SSIZE_T_MAX - 2) {
        Py_DECREF(low);
        return PyErr_NoMemory();
    }
    char stack_buf[4096];
    char *buf = stack_buf;
    if (n + 2 > (Py_ssize_t)sizeof(stack_buf)) {
        buf = PyMem_Malloc((size_t)n + 2);
        if (buf == NULL) {
            Py_DECREF(low);
            return PyErr_NoMemory();
        }
    }
    Py_ssize_t len = translate_utf8(s, n, buf);
    Py_DECREF(low);
    PyObject *result = scan_translated(self, buf, len);
    if (buf != stack_buf) {
        PyMem_Free(buf);
    }
    return result;
}

static PyObject *
Table_scan_text(Table *self, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "scan_text() takes str, not %.100s",
                     Py_TYPE(text)->tp_name);
        return NULL;
    }
    if (!PyUnicode_CheckExact(text)) {
        Py_RETURN_NONE; /* a subclass may lower-case its own way: the Python path */
    }
    if (!PyUnicode_IS_ASCII(text)) {
        return scan_unicode(self, text);
    }
    const Py_UCS1 *p = PyUnicode_1BYTE_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n > PY_SSIZE_T_MAX - 2) {
        return PyErr_NoMemory();
    }
    char stack_buf[4096];
    char *buf = stack_buf;
    if (n + 2 > (Py_ssize_t)sizeof(stack_buf)) {
        buf = PyMem_Malloc((size_t)n + 2);
        if (buf == NULL) {
            return PyErr_NoMemory();
        }
    }
    Py_ssize_t len = translate_ascii(p, n, buf);
    PyObject *result = scan_translated(self, buf, len);
    if (buf != stack_buf) {
        PyMem_Free(buf);
    }
    return result;
}

/* scan() of buf[0:len] + (buf[0:len] as bytes,) */
static PyObject *
scan_translated(Table *self, const char *buf, Py_ssize_t len)
{
    PyObject *out = PyBytes_FromStringAndSize(buf, len);
    PyObject *found = out != NULL ? scan_bytes(self, buf, len) : NULL;
    if (found == NULL) {
        Py_XDECREF(out);
        return NULL;
    }
    /* (logits, marks, ntokens, marked) + (translation,) */
    PyObject *result = PyTuple_New(5);
    if (result == NULL) {
        Py_DECREF(found);
        Py_DECREF(out);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < 4; i++) {
        PyObject *item = PyTuple_GET_ITEM(found, i);
        Py_INCREF(item);
        PyTuple_SET_ITEM(result, i, item);
    }
    PyTuple_SET_ITEM(result, 4, out); /* steals the reference */
    Py_DECREF(found);
    return result;
}

static PyObject *
Table_known(Table *self, PyObject *raw)
{
    if (!PyBytes_Check(raw)) {
        PyErr_Format(PyExc_TypeError, "known() takes bytes, not %.100s", Py_TYPE(raw)->tp_name);
        return NULL;
    }
    double stack_sums[SUMS_ON_STACK];
    double *sums = zeroed_sums(self, stack_sums);
    if (sums == NULL) {
        return NULL;
    }
    PyObject *model = PySet_New(NULL);
    Found f = {NULL, sums, 0, 0, NULL, model, 0, NULL, 0};
    Py_ssize_t ntokens =
        model != NULL ? read_bytes(self, PyBytes_AS_STRING(raw), PyBytes_GET_SIZE(raw), &f) : -1;
    free_sums(sums, stack_sums);
    if (ntokens < 0) {
        Py_XDECREF(model);
        return NULL;
    }
    return model;
}

/* One n-gram reaching the floor, for the sort of above(). */
typedef struct {
    double contribution;
    const char *key;
    Py_ssize_t key_len;
    PyObject *obj; /* borrowed: the entry holds the reference */
} Ranked;

/* Largest contribution first, then the key bytes in ascending order (bytes' ordering):
 * what LearnedModel.contributions' sort key (-contribution, gram) gives. */
static int
ranked_order(const void *pa, const void *pb)
{
    const Ranked *a = pa;
    const Ranked *b = pb;
    if (a->contribution > b->contribution) {
        return -1;
    }
    if (a->contribution < b->contribution) {
        return 1;
    }
    Py_ssize_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = memcmp(a->key, b->key, (size_t)n);
    if (c != 0) {
        return c;
    }
    return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

/* The ranked list of one head (column c of the rows): a new list, or NULL with an
 * exception set. */
static PyObject *
rank_head(const Table *self, const Record **hits, Py_ssize_t n, Py_ssize_t c, double floor,
          double norm, Ranked *work)
{
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        double w = hits[i]->values[c];
        if (floor <= w) { /* LearnedModel.contributions: ``minimum * norm <= weight`` */
            work[m].contribution = w / norm;
            work[m].key = (const char *)(hits[i]->values + self->ncols);
            work[m].key_len = hits[i]->key_len;
            work[m].obj = hits[i]->key;
            m++;
        }
    }
    qsort(work, (size_t)m, sizeof(Ranked), ranked_order);
    PyObject *list = PyList_New(m);
    if (list == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < m; i++) {
        PyObject *pair = Py_BuildValue("(Od)", work[i].obj, work[i].contribution);
        if (pair == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, pair);
    }
    return list;
}

/* above(raw, heads, minimum): per head index in ``heads``, the list that
 * LearnedModel.contributions(grams, head, minimum) gives (the norm summed in the order the
 * n-grams are read). */
static PyObject *
Table_above(Table *self, PyObject *args)
{
    Py_buffer raw;
    PyObject *heads;
    double minimum;
    if (!PyArg_ParseTuple(args, "y*Od:above", &raw, &heads, &minimum)) {
        return NULL;
    }
    PyObject *result = NULL;
    PyObject *seq = PySequence_Fast(heads, "above() takes a sequence of head indexes");
    double stack_sums[SUMS_ON_STACK];
    double *sums = stack_sums;
    Found f = {NULL, sums, 0, 0, NULL, NULL, 0, NULL, 0};
    Ranked *work = NULL;
    if (seq == NULL) {
        goto done;
    }
    Py_ssize_t nheads = PySequence_Fast_GET_SIZE(seq);
    Py_ssize_t *columns = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(nheads ? nheads : 1));
    if (columns == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < nheads; i++) {
        Py_ssize_t h = PyNumber_AsSsize_t(PySequence_Fast_GET_ITEM(seq, i), PyExc_IndexError);
        if (h == -1 && PyErr_Occurred()) {
            PyMem_Free(columns);
            goto done;
        }
        if (h < 0 || h >= self->ncols - 1) {
            PyErr_Format(PyExc_IndexError, "head index %zd out of range", h);
            PyMem_Free(columns);
            goto done;
        }
        columns[i] = h + 1;
    }
    sums = zeroed_sums(self, stack_sums);
    if (sums == NULL) {
        sums = stack_sums; /* nothing to give back at done */
        PyMem_Free(columns);
        goto done;
    }
    f.sums = sums;
    /* Room for 256 hits, grown by keep_hit when a long post holds more. */
    f.hits = PyMem_Malloc(sizeof(Record *) * 256);
    f.cap = 256;
    if (f.hits == NULL) {
        PyErr_NoMemory();
        PyMem_Free(columns);
        goto done;
    }
    if (read_bytes(self, raw.buf, raw.len, &f) < 0) {
        PyMem_Free(columns);
        goto done;
    }
    double norm = sqrt(sums[0] + self->smoothing);
    work = PyMem_Malloc(sizeof(Ranked) * (size_t)(f.known ? f.known : 1));
    result = PyTuple_New(nheads);
    if (work == NULL || result == NULL) {
        if (work == NULL) {
            PyErr_NoMemory();
        }
        Py_CLEAR(result);
        PyMem_Free(columns);
        goto done;
    }
    for (Py_ssize_t i = 0; i < nheads; i++) {
        PyObject *list = rank_head(self, f.hits, f.known, columns[i], minimum * norm, norm,
                                   work);
        if (list == NULL) {
            Py_CLEAR(result);
            break;
        }
        PyTuple_SET_ITEM(result, i, list);
    }
    PyMem_Free(columns);
done:
    PyMem_Free(f.hits);
    PyMem_Free(work);
    free_sums(sums, stack_sums);
    Py_XDECREF(seq);
    PyBuffer_Release(&raw);
    return result;
}

static PyObject *
Table_entry(Table *self, PyObject *key)
{
    if (!PyBytes_Check(key)) {
        PyErr_Format(PyExc_TypeError, "entry() takes bytes, not %.100s", Py_TYPE(key)->tp_name);
        return NULL;
    }
    const char *k = PyBytes_AS_STRING(key);
    Py_ssize_t n = PyBytes_GET_SIZE(key);
    Py_ssize_t e = find(self, fnv_feed(FNV_OFFSET, (const unsigned char *)k, n), k, n, NULL, 0);
    if (e < 0) {
        Py_RETURN_NONE;
    }
    return Py_BuildValue("(nk)", self->entries[e].row, self->entries[e].marks);
}

static Py_ssize_t
Table_len(Table *self)
{
    return self->n_entries;
}

static PyMethodDef Table_methods[] = {
    {"scan", (PyCFunction)Table_scan, METH_O,
     "scan(raw: bytes) -> (logits, marks, ntokens, marked): the n-grams of the translated "
     "bytes looked up once each; ``marked``: the set of those with marks."},
    {"scan_text", (PyCFunction)Table_scan_text, METH_O,
     "scan_text(text: str) -> scan(features.translated(text)) + (translated,), or None "
     "for a text that is not ASCII and holds platform noise."},
    {"known", (PyCFunction)Table_known, METH_O,
     "known(raw: bytes) -> set: the model's n-grams among those of the translated bytes."},
    {"above", (PyCFunction)Table_above, METH_VARARGS,
     "above(raw: bytes, heads, minimum) -> tuple of lists: per head index, the model's "
     "n-grams of the translated bytes whose contribution reaches ``minimum``, as "
     "(gram, contribution), largest first (LearnedModel.contributions)."},
    {"entry", (PyCFunction)Table_entry, METH_O,
     "entry(key: bytes) -> (row, marks) or None: what the index holds for one n-gram."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods Table_as_sequence = {
    .sq_length = (lenfunc)Table_len,
};

static PyTypeObject TableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "scoring._speedups.Table",
    .tp_basicsize = sizeof(Table),
    .tp_dealloc = (destructor)Table_dealloc,
    .tp_as_sequence = &Table_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An immutable index of a model's n-gram rows (see the module's source).",
    .tp_methods = Table_methods,
    .tp_new = Table_new,
};

/* scorer._obfuscated for an ASCII text (the regexes on text.lower(), in one pass each). */
static inline int
low_letter(const Py_UCS1 *p, Py_ssize_t n, Py_ssize_t i)
{
    if (i < 0 || i >= n) {
        return 0;
    }
    unsigned char c = ascii_lower(p[i]);
    return c >= 'a' && c <= 'z';
}

static inline int
leet_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || c == '@' || c == '$' || c == '!' || c == '|';
}

static inline int
spell_sep(unsigned char c)
{
    return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*';
}

static int
obfuscated_ascii(const Py_UCS1 *p, Py_ssize_t n)
{
    /* _STRETCHED_LETTER: ([a-z])\1\1 */
    for (Py_ssize_t i = 0; i + 2 < n; i++) {
        if (low_letter(p, n, i) && ascii_lower(p[i + 1]) == ascii_lower(p[i]) &&
            ascii_lower(p[i + 2]) == ascii_lower(p[i])) {
            return 1;
        }
    }
    /* _LEET: [0-9@$!|](?<=[a-z].)[0-9@$!|]*[a-z] */
    for (Py_ssize_t i = 1; i < n; i++) {
        if (leet_char(p[i]) && low_letter(p, n, i - 1)) {
            Py_ssize_t j = i + 1;
            while (j < n && leet_char(p[j])) {
                j++;
            }
            if (low_letter(p, n, j)) {
                return 1;
            }
        }
    }
    /* _LONE_LETTER and _SPELLED: (?<![a-z])[a-z][ .\-_*][a-z][ .\-_*][a-z](?![a-z]) (a
     * match of the second holds one of the first) */
    for (Py_ssize_t i = 0; i + 4 < n; i++) {
        if (low_letter(p, n, i) && !low_letter(p, n, i - 1) && spell_sep(p[i + 1]) &&
            low_letter(p, n, i + 2) && spell_sep(p[i + 3]) && low_letter(p, n, i + 4) &&
            !low_letter(p, n, i + 5)) {
            return 1;
        }
    }
    return 0;
}

static PyObject *
speedups_obfuscated(PyObject *module, PyObject *args)
{
    PyObject *text;
    Py_ssize_t span;
    if (!PyArg_ParseTuple(args, "On:obfuscated", &text, &span)) {
        return NULL;
    }
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "obfuscated() takes str, not %.100s",
                     Py_TYPE(text)->tp_name);
        return NULL;
    }
    if (!PyUnicode_CheckExact(text) || !PyUnicode_IS_ASCII(text)) {
        Py_RETURN_NONE; /* str.lower of other characters: the Python path */
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n > span) {
        Py_RETURN_FALSE;
    }
    return PyBool_FromLong(obfuscated_ascii(PyUnicode_1BYTE_DATA(text), n));
}

static PyMethodDef speedups_methods[] = {
    {"obfuscated", (PyCFunction)speedups_obfuscated, METH_VARARGS,
     "obfuscated(text: str, span: int) -> scorer._obfuscated(text) (False past ``span`` "
     "characters) for an ASCII str, else None (a str subclass, another text)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "scoring._speedups",
    .m_doc = "The harm scorer's learned-tier lookups, compiled (optional).",
    .m_size = -1,
    .m_methods = speedups_methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&TableType) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&speedups_module);
    if (m == NULL) {
        return NULL;
    }
    Py_INCREF(&TableType);
    if (PyModule_AddObject(m, "Table", (PyObject *)&TableType) < 0) {
        Py_DECREF(&TableType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
