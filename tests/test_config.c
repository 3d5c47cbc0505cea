/* test_config.c: the INI config is the specification of an experiment, so every rule in
 * config.h is pinned here: defaults, types, ranges, lists, overrides, the messages users see
 * (file:line and key), and the canonical dump and hash that name a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/numtext.h"
#include "config/config.h"
#include "config/criterion.h"
#include "config/task.h"

/* Write text to a fresh temporary .ini file; returns its path (static buffer per call site). */
static void write_ini(char *path, const char *text)
{
    strcpy(path, "/tmp/pf_test_config_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs(text, fp);
    fclose(fp);
}

/* Load text as a config; returns the error code and leaves the message in err. */
static int load_text(const char *text, pf_config *cfg, pf_error *err, const char *const *ov,
                     size_t nov, char *path_out)
{
    char path[64];
    write_ini(path, text);
    pf_error_clear(err);
    int rc = pf_config_load(cfg, path, ov, nov, err);
    if (path_out) strcpy(path_out, path);
    unlink(path);
    return rc;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fail_msg("expected '%s' in message: %s", needle, hay);
}

static void test_defaults(void **state)
{
    (void)state;
    pf_config c;
    pf_config_defaults(&c);
    assert_int_equal(c.seed, 42);
    assert_int_equal(c.repeats, 1);
    assert_int_equal(c.source, PF_SOURCE_SYNTHETIC);
    assert_string_equal(c.participant_column, "[control]player_id");
    assert_string_equal(c.target_columns.item[0], "[output]arousal");
    assert_int_equal(c.target_columns.n, 1);
    assert_int_equal(c.n_hidden, 2);
    assert_int_equal(c.hidden[0], 64);
    assert_int_equal(c.hidden[1], 32);
    assert_int_equal(c.batch_size, 64);
    assert_int_equal(c.max_epochs, 30);
    assert_true(c.learning_rate == 0.001);
    assert_int_equal(c.criteria.n, 5);
    assert_string_equal(c.criteria.item[3], "fairgrape");
    assert_int_equal(c.sparsities.n, 6);
    assert_true(c.sparsities.v[5] == 0.9);
    assert_int_equal(c.figures.n, 2);
    assert_int_equal(c.prune_biases, 0);
    assert_int_equal(c.threads, 0);
}

static void test_values_and_override(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    const char *ov[] = {"train.max_epochs=7", "model.hidden = 16, 8, 4"};
    assert_int_equal(
        load_text("; comment\n[train]\nmax_epochs = 12\nlearning_rate = 3e-4\n"
                  "loss = CCC\n[prune]\nsparsities = 0.9, 0, 0.5\n"
                  "[output]\nfigures = none\n[experiment]\nseed = 18446744073709551615\n",
                  &c, &err, ov, 2, NULL),
        PF_OK);
    assert_int_equal(c.max_epochs, 7); /* --set wins over the file */
    assert_true(c.learning_rate == 3e-4);
    assert_int_equal(c.loss, PF_LOSS_CCC); /* choices are case-insensitive */
    assert_int_equal(c.n_hidden, 3);
    assert_int_equal(c.hidden[2], 4);
    assert_int_equal(c.sparsities.n, 3); /* sorted ascending */
    assert_true(c.sparsities.v[0] == 0.0 && c.sparsities.v[1] == 0.5 && c.sparsities.v[2] == 0.9);
    assert_int_equal(c.figures.n, 0);
    assert_true(c.seed == UINT64_MAX);
}

static void test_unknown_key_names_line_and_key(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    char path[64];
    assert_int_equal(
        load_text("[train]\nmax_epochs = 3\n\nlearnig_rate = 0.1\n", &c, &err, NULL, 0, path),
        PF_EINPUT);
    char where[80];
    snprintf(where, sizeof where, "%s:4:", path);
    assert_contains(err.msg, where);
    assert_contains(err.msg, "unknown key 'learnig_rate'");
    assert_contains(err.msg, "did you mean 'learning_rate'");
}

static void test_section_typo(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    assert_int_equal(
        load_text("[experiment]\nseed = 1\n[dta]\npath = x.csv\n", &c, &err, NULL, 0, NULL),
        PF_EINPUT);
    assert_contains(err.msg, ":4: unknown section [dta]");
    assert_contains(err.msg, "did you mean 'data'");
}

static void test_text_for_number(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    assert_int_equal(load_text("[train]\nbatch_size = sixty-four\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, ":2: train.batch_size = 'sixty-four'");
    assert_contains(err.msg, "not a whole number");
    assert_contains(err.msg, "accepted: 1 to 1048576");
    assert_int_equal(load_text("[train]\nlearning_rate = 0.01x\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, "'0.01x' is not a number");
}

static void test_sparsity_range(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    assert_int_equal(load_text("[prune]\nsparsities = 0.5, 1.0\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, "prune.sparsities");
    assert_contains(err.msg, "1 is out of range (accepted: 0 to 1 (exclusive))");
    assert_int_equal(load_text("[prune]\nsparsities = -0.1\n", &c, &err, NULL, 0, NULL), PF_EINPUT);
    assert_contains(err.msg, "-0.1 is out of range");
    assert_int_equal(load_text("[prune]\nsparsities = 0.99999\n", &c, &err, NULL, 0, NULL), PF_OK);
}

static void test_empty_list_item(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    assert_int_equal(load_text("[prune]\nsparsities = 0.2,,0.5\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, ":2: prune.sparsities = '0.2,,0.5': item 2 of the list is empty");
    assert_int_equal(load_text("[model]\nhidden = 64,\n", &c, &err, NULL, 0, NULL), PF_EINPUT);
    assert_contains(err.msg, "item 2 of the list is empty");
    assert_int_equal(load_text("[prune]\ncriteria = snip,prune_me\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, "'prune_me' is not one of random|magnitude|snip|fairgrape|vr");
}

static void test_missing_and_directory(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    assert_int_equal(pf_config_load(&c, "/nonexistent/again.ini", NULL, 0, &err), PF_EINPUT);
    assert_contains(err.msg, "cannot open config file '/nonexistent/again.ini'");
    assert_contains(err.msg, "No such file or directory");
    pf_error_clear(&err);
    assert_int_equal(pf_config_load(&c, "/tmp", NULL, 0, &err), PF_EINPUT);
    assert_contains(err.msg, "is a directory");
}

static void test_duplicate_syntax_and_bad_set(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    assert_int_equal(
        load_text("[train]\nbatch_size = 8\nbatch_size = 16\n", &c, &err, NULL, 0, NULL),
        PF_EINPUT);
    assert_contains(err.msg, ":3: train.batch_size is set twice");
    assert_int_equal(load_text("[train]\nbatch_size 8\n", &c, &err, NULL, 0, NULL), PF_EINPUT);
    assert_contains(err.msg, ":2: syntax error");
    const char *ov[] = {"train.max_epochs"};
    assert_int_equal(load_text("[train]\n", &c, &err, ov, 1, NULL), PF_EINPUT);
    assert_contains(err.msg, "--set train.max_epochs: expected section.key=value");
    const char *ov2[] = {"train.max_epoch=3"};
    assert_int_equal(load_text("[train]\n", &c, &err, ov2, 1, NULL), PF_EINPUT);
    assert_contains(err.msg, "--set train.max_epoch=3: unknown key 'max_epoch'");
}

static void test_cross_checks(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    assert_int_equal(load_text("[data]\nsource = again\n", &c, &err, NULL, 0, NULL), PF_EINPUT);
    assert_contains(err.msg, "data.path is empty");
    assert_int_equal(load_text("[stats]\nreference = vr\n", &c, &err, NULL, 0, NULL), PF_EINPUT);
    assert_contains(err.msg, "stats.reference = 'vr' is not one of the criteria");
    assert_int_equal(load_text("[stats]\nreference = vr(lambda=0.5)\n", &c, &err, NULL, 0, NULL),
                     PF_OK);
    assert_int_equal(load_text("[prune]\nfairgrape_group = Cluster\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, "add it to data.attribute_columns");
    /* Any participant attribute can be FairGRAPE's group. */
    assert_int_equal(load_text("[data]\nattribute_columns = sex\n[prune]\nfairgrape_group = sex\n",
                               &c, &err, NULL, 0, NULL),
                     PF_OK);
}

/* Found by fuzzing: a list item with '=' loaded, but its canonical dump wrapped it onto an
 * indented line, where '=' means a mistaken key, so the dump could not be read back. */
static void test_list_item_with_equals(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    assert_int_equal(load_text("[data]\nattribute_columns = sex, a=b\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, "item 'a=b' contains '='");
    assert_int_equal(load_text("[data]\nattribute_columns = sex, #age\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, "item '#age' starts with '#'");
}

/* compress.bits and fairness.attributes: what is accepted, and what each refusal says. */
static void test_compress_and_fairness_keys(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    assert_int_equal(load_text("[compress]\nbits = 32, 8, 4\n", &c, &err, NULL, 0, NULL), PF_OK);
    assert_int_equal(c.n_bits, 3);
    assert_int_equal(c.bits[0], 32), assert_int_equal(c.bits[1], 8), assert_int_equal(c.bits[2], 4);
    assert_int_equal(c.granularity, PF_GRAN_CHANNEL);
    assert_int_equal(c.rounding, PF_ROUND_HALF_EVEN);
    assert_int_equal(c.min_group, 3);
    assert_string_equal(c.fairness_attributes.item[0], "auto");
    assert_int_equal(load_text("[compress]\nbits = 32, 16\n", &c, &err, NULL, 0, NULL), PF_EINPUT);
    assert_contains(err.msg, "compress.bits: 16 is not a width");
    assert_int_equal(load_text("[compress]\nbits = 8, 4, 8\n", &c, &err, NULL, 0, NULL), PF_EINPUT);
    assert_contains(err.msg, "lists 8 twice");
    assert_int_equal(load_text("[compress]\nbits = 1\n", &c, &err, NULL, 0, NULL), PF_EINPUT);
    assert_int_equal(load_text("[compress]\nrounding = half_up\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, "half_even");
    assert_int_equal(load_text("[fairness]\nattributes = sex\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, "'sex', which is not one of data.attribute_columns");
    assert_int_equal(load_text("[data]\nattribute_columns = sex, age\n[fairness]\nattributes = "
                               "age\nmin_group = 5\n",
                               &c, &err, NULL, 0, NULL),
                     PF_OK);
    assert_int_equal(c.min_group, 5);
    assert_int_equal(load_text("[fairness]\nattributes = none, auto\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, "stands alone");
    /* Widths change the numbers, so they change the hash; the order of [compress] keys and
     * their spelling do not. */
    char h1[65], h2[65];
    assert_int_equal(load_text("[compress]\nbits = 32\n", &c, &err, NULL, 0, NULL), PF_OK);
    strcpy(h1, c.hash);
    assert_int_equal(load_text("[compress]\nbits = 32, 8\n", &c, &err, NULL, 0, NULL), PF_OK);
    strcpy(h2, c.hash);
    assert_string_not_equal(h1, h2);
    assert_int_equal(
        load_text("[compress]\nrounding = HALF_EVEN\nbits = 32,8\n", &c, &err, NULL, 0, NULL),
        PF_OK);
    assert_string_equal(c.hash, h2);

    /* Clustering: counts 0 or 2..256, each once. Its keys came after studies had been run:
     * at their defaults they are not in the canonical text, so those studies keep their hash
     * (h1 above, written before the keys existed, is that of "bits = 32"); any other value is
     * in it and changes the hash. */
    assert_int_equal(load_text("[compress]\nclusters = 0, 1\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, "use 0 (not clustered) or 2..256");
    assert_int_equal(load_text("[compress]\nclusters = 16, 16\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, "compress.clusters lists 16 twice");
    assert_int_equal(load_text("[compress]\nclusters = 257\n", &c, &err, NULL, 0, NULL), PF_EINPUT);
    assert_int_equal(load_text("[compress]\ncluster_init = random\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, "kmeans++");
    assert_int_equal(load_text("[compress]\nbits = 32\nclusters = 0\ncluster_init = linear\n"
                               "cluster_max_iter = 300\ncluster_finetune_epochs = 0\n",
                               &c, &err, NULL, 0, NULL),
                     PF_OK);
    assert_string_equal(c.hash, h1);
    char *text = pf_config_dump(&c, 0);
    assert_null(strstr(text, "cluster"));
    free(text);
    assert_int_equal(load_text("[compress]\nclusters = 0, 16\ncluster_init = kmeans++\n", &c, &err,
                               NULL, 0, NULL),
                     PF_OK);
    assert_string_not_equal(c.hash, h1);
    assert_int_equal(c.n_clusters, 2);
    assert_int_equal(c.clusters[1], 16);
    assert_int_equal(c.cluster_init, PF_CLUSTER_KMEANSPP);
    text = pf_config_dump(&c, 1);
    assert_non_null(strstr(text, "cluster_init = kmeans++\nclusters = 0,16\n"));
    free(text);
}

/* Found by fuzzing: a value that the canonical dump could not reproduce. */
static void test_values_that_would_not_round_trip(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    assert_int_equal(load_text("[experiment]\nname =; later\n", &c, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_contains(err.msg, ":2: experiment.name = '; later': contains ';'");
    assert_int_equal(load_text("[experiment]\nname = ../up\n", &c, &err, NULL, 0, NULL), PF_EINPUT);
    assert_contains(err.msg, "experiment.name = '../up': use letters, digits");
    assert_int_equal(load_text("[experiment]\nname = heist-v2.1_a\n", &c, &err, NULL, 0, NULL),
                     PF_OK);
}

static void test_criterion_names(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    pf_criterion_use u[8];
    assert_int_equal(
        load_text("[prune]\ncriteria = magnitude, vr, random\nvr_lambda = 1, 0, 0.25\n", &c, &err,
                  NULL, 0, NULL),
        PF_OK);
    assert_int_equal(pf_criterion_uses(&c, u, 8), 5);
    assert_string_equal(u[0].name, "magnitude");
    assert_string_equal(u[1].name, "vr(lambda=0)");
    assert_string_equal(u[2].name, "vr(lambda=0.25)");
    assert_string_equal(u[3].name, "vr(lambda=1)");
    assert_string_equal(u[4].name, "random");
}

/* The hash names the run: it must ignore comments, order, spacing and the keys that cannot
 * change a number, and must change with any key that can. */
static void test_hash(void **state)
{
    (void)state;
    pf_config a, b;
    pf_error err = {0};
    assert_int_equal(
        load_text("[train]\nmax_epochs = 9\n[experiment]\nseed = 7\n", &a, &err, NULL, 0, NULL),
        PF_OK);
    assert_int_equal(strlen(a.hash), 64);
    assert_int_equal(strspn(a.hash, "0123456789abcdef"), 64);
    assert_int_equal(
        load_text("; same experiment\n[experiment]\n  seed=7 \n[parallel]\nthreads = 3\n"
                  "[train]\nmax_epochs=9 ; inline comment\n[output]\nfigures = none\n",
                  &b, &err, NULL, 0, NULL),
        PF_OK);
    assert_string_equal(a.hash, b.hash);
    const char *ov[] = {"experiment.seed=8"};
    assert_int_equal(load_text("[train]\nmax_epochs = 9\n", &b, &err, ov, 1, NULL), PF_OK);
    assert_string_not_equal(a.hash, b.hash);
}

/* The canonical dump is itself a valid config that loads back to the same struct. */
static void test_dump_round_trip(void **state)
{
    (void)state;
    pf_config a, b;
    pf_error err = {0};
    assert_int_equal(load_text("[prune]\nsparsities = 0.1,0.3333333333333333\n[train]\n"
                               "learning_rate = 0.00123\n[data]\ndrop_columns = a, b\n",
                               &a, &err, NULL, 0, NULL),
                     PF_OK);
    char *text = pf_config_dump(&a, 0);
    assert_non_null(strstr(text, "[prune]\ncriteria = random,magnitude,snip,fairgrape,vr\n"));
    /* Shortest round-trip text: what was written, not 0.10000000000000001. */
    assert_non_null(strstr(text, "sparsities = 0.1,0.3333333333333333\n"));
    assert_non_null(strstr(text, "learning_rate = 0.00123\n"));
    assert_non_null(strstr(text, "alpha = 0.05\n"));
    assert_non_null(strstr(text, "drop_columns = a,b\n"));
    assert_int_equal(load_text(text, &b, &err, NULL, 0, NULL), PF_OK);
    char *again = pf_config_dump(&b, 0);
    assert_string_equal(text, again);
    assert_string_equal(a.hash, b.hash);
    char *hashed = pf_config_dump(&a, 1);
    assert_null(strstr(hashed, "threads"));
    assert_null(strstr(hashed, "[output]\n"));
    free(text);
    free(again);
    free(hashed);
}

/* Shortest text that reads back to the same double; the cases where %.17g and %g differ. */
static void test_numtext(void **state)
{
    (void)state;
    char b[PF_NUMTEXT_CAP];
    assert_string_equal(pf_numtext(b, 0.8), "0.8");
    assert_string_equal(pf_numtext(b, 0.1 + 0.2), "0.30000000000000004");
    assert_string_equal(pf_numtext(b, 1e-5), "1e-05");
    assert_string_equal(pf_numtext(b, 5e-324), "5e-324");
    assert_string_equal(pf_numtext(b, 1.0 / 3.0), "0.3333333333333333");
    assert_string_equal(pf_numtext(b, 123456789.0), "123456789");
    assert_string_equal(pf_numtext(b, 1880.0), "1880"); /* not 1.88e+03 */
    assert_string_equal(pf_numtext(b, -1e14), "-100000000000000");
    assert_string_equal(pf_numtext(b, 1e15), "1e+15");
    assert_string_equal(pf_numtext(b, 1.2345678901234568e17), "1.2345678901234568e+17");
    assert_string_equal(pf_numtext(b, -0.0), "-0");
    assert_string_equal(pf_numtext(b, NAN), "nan");
    assert_string_equal(pf_numtext(b, -NAN), "nan");
    assert_string_equal(pf_numtext(b, -INFINITY), "-inf");
    /* Every text reads back exactly, over values of many magnitudes. */
    double v = 0.7071067811865476;
    for (int i = 0; i < 2000; i++, v *= -1.37) assert_true(strtod(pf_numtext(b, v), NULL) == v);
}

/* Choices in lists match ignoring case and are stored as spelled in the table, so the run,
 * its hash and its criterion names do not depend on how a user typed them. */
static void test_list_choices_case_normalised(void **state)
{
    (void)state;
    pf_config a, b;
    pf_error err = {0};
    assert_int_equal(load_text("[prune]\ncriteria = Magnitude, SNIP\n", &a, &err, NULL, 0, NULL),
                     PF_OK);
    assert_string_equal(a.criteria.item[0], "magnitude");
    assert_string_equal(a.criteria.item[1], "snip");
    assert_int_equal(load_text("[prune]\ncriteria = magnitude,snip\n", &b, &err, NULL, 0, NULL),
                     PF_OK);
    assert_string_equal(a.hash, b.hash);
    assert_int_equal(
        load_text("[prune]\ncriteria = magnitude, MAGNITUDE\n", &a, &err, NULL, 0, NULL),
        PF_EINPUT);
    assert_non_null(strstr(err.msg, "listed twice"));
    assert_int_equal(load_text("[data]\nfeature_columns = AUTO\n", &a, &err, NULL, 0, NULL), PF_OK);
    assert_string_equal(a.feature_columns.item[0], "auto");
    assert_int_equal(load_text("[data]\nfeature_columns = auto, x\n", &a, &err, NULL, 0, NULL),
                     PF_EINPUT);
    assert_non_null(strstr(err.msg, "'auto' stands alone"));
}

/* A list may go on over indented lines (inih caps a line at 200 characters); a trailing
 * comma is optional; an indented line after a scalar key is an error at its line. */
static void test_list_continues_on_indented_lines(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    char path[64];
    assert_int_equal(load_text("[data]\nfeature_columns = a, b,\n    c\n\td, e\n"
                               "; a comment\nmin_windows = 3\n",
                               &c, &err, NULL, 0, NULL),
                     PF_OK);
    assert_int_equal(c.feature_columns.n, 5);
    assert_string_equal(c.feature_columns.item[2], "c");
    assert_string_equal(c.feature_columns.item[4], "e");
    assert_int_equal(c.min_windows, 3);
    assert_int_equal(load_text("[data]\nmin_windows = 3\n  4\n", &c, &err, NULL, 0, path),
                     PF_EINPUT);
    assert_non_null(strstr(err.msg, ":3: this line is indented"));
    assert_non_null(strstr(err.msg, "not a list"));
    assert_int_equal(
        load_text("[data]\ndrop_columns = a\n  min_windows = 3\n", &c, &err, NULL, 0, path),
        PF_EINPUT);
    assert_non_null(strstr(err.msg, "remove the indentation"));
    /* An error in a continued list names the line where the key starts. */
    assert_int_equal(load_text("[prune]\nsparsities = 0.1,\n  x\n", &c, &err, NULL, 0, path),
                     PF_EINPUT);
    assert_non_null(strstr(err.msg, ":2: prune.sparsities"));
}

/* A long list is dumped over indented lines, which load back to the same config: inih reads
 * at most 200 characters a line. */
static void test_dump_wraps_long_lists(void **state)
{
    (void)state;
    pf_config a, b;
    pf_error err = {0};
    char text[2048] = "[data]\nfeature_columns = ";
    for (int i = 0; i < 40; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%sa_long_feature_%02d",
                 i ? ",\n  " : "", i);
    strcat(text, "\n");
    assert_int_equal(load_text(text, &a, &err, NULL, 0, NULL), PF_OK);
    assert_int_equal(a.feature_columns.n, 40);
    char *dump = pf_config_dump(&a, 0);
    for (const char *line = dump; *line;) {
        const char *end = strchr(line, '\n');
        assert_true(end - line < 100);
        line = end + 1;
    }
    assert_non_null(strstr(dump, ",\n    a_long_feature_"));
    assert_int_equal(load_text(dump, &b, &err, NULL, 0, NULL), PF_OK);
    assert_string_equal(a.hash, b.hash);
    assert_int_equal(b.feature_columns.n, 40);
    free(dump);
}

/* The data file's SHA-256 enters the hash: an edited data file is another run. */
/* A criterion's own options can change a number only when the criterion runs: they are part
 * of the canonical text, and of the hash, then and only then, so adding a criterion to the
 * program moves no study's text or hash. In the text they sit in their place among the
 * [prune] keys. */
static void test_hash_criterion_options(void **state)
{
    (void)state;
    pf_config a, b;
    pf_error err = {0};
    const char *mag = "[prune]\ncriteria = magnitude\n",
               *mag_vr = "[prune]\ncriteria = magnitude, vr\n";
    const char *obj[] = {"prune.vr_form=objective"};
    assert_int_equal(load_text(mag, &a, &err, NULL, 0, NULL), PF_OK);
    assert_int_equal(load_text(mag, &b, &err, obj, 1, NULL), PF_OK);
    assert_string_equal(a.hash, b.hash);
    assert_int_equal(load_text(mag_vr, &a, &err, NULL, 0, NULL), PF_OK);
    assert_int_equal(load_text(mag_vr, &b, &err, obj, 1, NULL), PF_OK);
    assert_string_not_equal(a.hash, b.hash);
    char *hashed = pf_config_dump(&b, 1), *full = pf_config_dump(&b, 0);
    assert_non_null(strstr(hashed, "vr_form = objective\n"));
    assert_non_null(strstr(full, "vr_form = objective\n"));
    assert_null(strstr(hashed, "fairgrape_mode"));
    assert_null(strstr(full, "fairgrape_mode"));
    free(hashed), free(full);
    /* With the default criteria, every [prune] key, each in its place among the section's. */
    assert_int_equal(load_text("", &b, &err, NULL, 0, NULL), PF_OK);
    full = pf_config_dump(&b, 0);
    const char *order[] = {"criteria =",   "fairgrape_group =", "finetune_epochs =", "scope =",
                           "snip_stage =", "sparsities =",      "vr_form =",         "vr_lambda ="};
    for (size_t i = 1; i < sizeof order / sizeof order[0]; i++) {
        assert_non_null(strstr(full, order[i]));
        assert_true(strstr(full, order[i - 1]) < strstr(full, order[i]));
    }
    free(full);
}

static void test_hash_covers_data(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    assert_int_equal(load_text("[experiment]\nseed = 1\n", &c, &err, NULL, 0, NULL), PF_OK);
    char without[65];
    strcpy(without, c.hash);
    strcpy(c.data_sha256, "6c8407bef0637ffedb45f5a7351e09714257ee7eecd94bd47760a3f37c4c0daf");
    assert_int_equal(pf_config_hash(&c, &err), PF_OK);
    assert_string_not_equal(c.hash, without);
    char one[65];
    strcpy(one, c.hash);
    c.data_sha256[0] = '7';
    assert_int_equal(pf_config_hash(&c, &err), PF_OK);
    assert_string_not_equal(c.hash, one);
}

/* Task shapes that cannot work are refused when the config loads, each with the fix. */
static void test_task_shape_errors(void **state)
{
    (void)state;
    pf_config c;
    pf_error err = {0};
    struct {
        const char *text, *says;
    } cases[] = {
        {"[data]\ntarget_transform = above_median\n", "needs data.task = classification"},
        {"[data]\ntask = classification\n[train]\nloss = mse\n",
         "train.loss = mse is a regression"},
        {"[data]\ntask = classification\n[train]\nloss = ccc\n",
         "train.loss = ccc is a regression"},
        {"[train]\nloss = xent\n", "train.loss = xent is a classification loss"},
        {"[data]\ntask = classification\ntarget_column = a, b\n", "exactly one label column"},
        {"[data]\ntarget_column = a, b, a\n", "'a' is listed twice"},
        {"[data]\ntarget_column = a\nattribute_columns = a\n", "'a' is both in data.target_column"},
        {"[train]\nclass_weights = balanced\n", "needs data.task = classification"},
        /* a weighting of outputs needs several regression outputs */
        {"[train]\noutput_weighting = uncertainty\n",
         "train.output_weighting = uncertainty weighs the losses of several regression outputs "
         "against each other, but this study has 1 output (synthetic.outputs)"},
        {"[data]\nsource = csv\npath = x.csv\n[train]\noutput_weighting = restrained\n",
         "has 1 output (data.target_column): nothing to weigh"},
        {"[data]\ntask = classification\n[train]\noutput_weighting = restrained\n",
         "data.task = classification trains one loss over its classes: nothing to weigh"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(load_text(cases[i].text, &c, &err, NULL, 0, NULL), PF_EINPUT);
        if (!strstr(err.msg, cases[i].says)) fail_msg("case %zu: %s", i, err.msg);
    }
    /* auto resolves by task. */
    assert_int_equal(load_text("[data]\ntask = classification\n", &c, &err, NULL, 0, NULL), PF_OK);
    assert_int_equal(pf_task_loss(&c), PF_LOSS_XENT);
    assert_int_equal(load_text("[data]\ntarget_column = a, b\n", &c, &err, NULL, 0, NULL), PF_OK);
    assert_int_equal(pf_task_loss(&c), PF_LOSS_MSE);
    assert_int_equal(c.target_columns.n, 2);
    /* Several outputs may be weighed: the generator's, or the file's targets. */
    assert_int_equal(
        load_text("[synthetic]\noutputs = 2\n[train]\noutput_weighting = uncertainty\n", &c, &err,
                  NULL, 0, NULL),
        PF_OK);
    assert_int_equal(c.output_weighting, PF_WEIGHTING_UNCERTAINTY);
    assert_int_equal(load_text("[data]\nsource = csv\npath = x.csv\ntarget_column = a, b\n"
                               "[train]\noutput_weighting = restrained\n",
                               &c, &err, NULL, 0, NULL),
                     PF_OK);
}

/* train.output_weighting can change every number, so it enters the hash; it came after studies
 * had been run with its default behaviour (PF_KEY_LATE), so at its default it is left out of
 * the canonical text and every such study keeps its hash. */
static void test_hash_output_weighting(void **state)
{
    (void)state;
    pf_config a, b;
    pf_error err = {0};
    assert_int_equal(load_text("[synthetic]\noutputs = 2\n", &a, &err, NULL, 0, NULL), PF_OK);
    assert_int_equal(a.output_weighting, PF_WEIGHTING_EQUAL);
    char *hashed = pf_config_dump(&a, 1);
    assert_non_null(strstr(hashed, "optimizer = adam\npatience = 5\n"));
    free(hashed);
    const char *ov[] = {"train.output_weighting=uncertainty"};
    assert_int_equal(load_text("[synthetic]\noutputs = 2\n", &b, &err, ov, 1, NULL), PF_OK);
    assert_string_not_equal(a.hash, b.hash);
    const char *ov2[] = {"train.output_weighting=equal"};
    assert_int_equal(load_text("[synthetic]\noutputs = 2\n", &b, &err, ov2, 1, NULL), PF_OK);
    assert_string_equal(a.hash, b.hash);
    hashed = pf_config_dump(&b, 1);
    assert_null(strstr(hashed, "output_weighting"));
    free(hashed);
    assert_int_equal(load_text("[synthetic]\noutputs = 2\n", &b, &err, ov, 1, NULL), PF_OK);
    hashed = pf_config_dump(&b, 1);
    assert_non_null(strstr(hashed, "optimizer = adam\noutput_weighting = uncertainty\npatience"));
    free(hashed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_values_and_override),
        cmocka_unit_test(test_unknown_key_names_line_and_key),
        cmocka_unit_test(test_section_typo),
        cmocka_unit_test(test_text_for_number),
        cmocka_unit_test(test_sparsity_range),
        cmocka_unit_test(test_empty_list_item),
        cmocka_unit_test(test_missing_and_directory),
        cmocka_unit_test(test_duplicate_syntax_and_bad_set),
        cmocka_unit_test(test_cross_checks),
        cmocka_unit_test(test_values_that_would_not_round_trip),
        cmocka_unit_test(test_compress_and_fairness_keys),
        cmocka_unit_test(test_list_item_with_equals),
        cmocka_unit_test(test_criterion_names),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_dump_round_trip),
        cmocka_unit_test(test_numtext),
        cmocka_unit_test(test_list_choices_case_normalised),
        cmocka_unit_test(test_list_continues_on_indented_lines),
        cmocka_unit_test(test_hash_criterion_options),
        cmocka_unit_test(test_hash_covers_data),
        cmocka_unit_test(test_dump_wraps_long_lists),
        cmocka_unit_test(test_task_shape_errors),
        cmocka_unit_test(test_hash_output_weighting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
