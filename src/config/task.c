/* task.c: the task shapes (see task.h). */
#include "config/task.h"

#include <stdio.h>
#include <string.h>

#define LOSS(l) (1u << (l))

static const pf_task_shape SHAPES[] = {
    {"regression", PF_TASK_REGRESSION, PF_SHAPE_REG1, 1, 1, 0, PF_LOSS_MSE,
     LOSS(PF_LOSS_MSE) | LOSS(PF_LOSS_CCC), 1, 0, 0, 0, "ccc"},
    {"regression with several outputs", PF_TASK_REGRESSION, PF_SHAPE_REGK, 2, PF_MAX_LIST, 0,
     PF_LOSS_MSE, LOSS(PF_LOSS_MSE) | LOSS(PF_LOSS_CCC), 1, 0, 0, 1, "mean_ccc"},
    {"classification", PF_TASK_CLASSIFICATION, PF_SHAPE_CLASS, 1, 1, 1, PF_LOSS_XENT,
     LOSS(PF_LOSS_XENT), 0, 1, 1, 0, "balanced_accuracy"},
};
#define N_SHAPES (sizeof SHAPES / sizeof SHAPES[0])

const pf_task_shape *pf_task_list(size_t *n)
{
    *n = N_SHAPES;
    return SHAPES;
}

const pf_task_shape *pf_task_shape_of(pf_task_kind task, size_t n_targets)
{
    const pf_task_shape *first = NULL;
    for (size_t i = 0; i < N_SHAPES; i++) {
        if (SHAPES[i].task != task) continue;
        if (!first) first = &SHAPES[i];
        if (n_targets >= SHAPES[i].min_targets && n_targets <= SHAPES[i].max_targets)
            return &SHAPES[i];
    }
    return first ? first : &SHAPES[0];
}

size_t pf_task_outputs(const pf_task_shape *s, size_t n_targets, size_t n_classes)
{
    return s->labels ? n_classes : n_targets;
}

static const char *const TASK_NAMES[] = {PF_TASK_KINDS(PF_ENUM_NAME_ITEM)};
#define N_TASK_NAMES (sizeof TASK_NAMES / sizeof TASK_NAMES[0])

const char *pf_task_name(pf_task_kind task)
{
    return (size_t)task < N_TASK_NAMES ? TASK_NAMES[task] : "?";
}

int pf_task_from_name(const char *name, pf_task_kind *out)
{
    for (size_t i = 0; i < N_TASK_NAMES; i++)
        if (strcmp(name, TASK_NAMES[i]) == 0) return *out = (pf_task_kind)i, 1;
    return 0;
}

/* The data.task of the first shape with a property, for messages that say what a key needs. */
static const char *task_with(int want_labels)
{
    for (size_t i = 0; i < N_SHAPES; i++)
        if (SHAPES[i].labels == want_labels) return pf_task_name(SHAPES[i].task);
    return "?";
}

static const pf_task_shape *first_with_loss(pf_loss loss)
{
    for (size_t i = 0; i < N_SHAPES; i++)
        if (SHAPES[i].losses & LOSS(loss)) return &SHAPES[i];
    return NULL;
}

/* "mse or ccc": the losses a shape trains with, by name. */
static void loss_names(const pf_task_shape *s, char *out, size_t cap)
{
    size_t len = 0, n = 0, total = 0;
    char name[PF_MAX_NAME];
    for (unsigned l = 0; l < 32; l++) total += (s->losses & LOSS(l)) != 0;
    out[0] = '\0';
    for (unsigned l = 0; l < 32 && len < cap; l++) {
        if (!(s->losses & LOSS(l))) continue;
        pf_config_choice_name("train", "loss", (int)l, name, sizeof name);
        len += (size_t)snprintf(out + len, cap - len, "%s%s",
                                n == 0          ? ""
                                : n + 1 < total ? ", "
                                                : " or ",
                                name);
        n++;
    }
}

/* train.output_weighting other than equal weighs the losses of several outputs against each
 * other: a shape with one output, or one loss over its classes, has nothing to weigh. The
 * synthetic generator's targets are synthetic.outputs, not data.target_column. */
static int check_output_weighting(const pf_config *c, pf_error *err)
{
    if (c->output_weighting == PF_WEIGHTING_EQUAL) return PF_OK;
    int synthetic = c->source == PF_SOURCE_SYNTHETIC;
    size_t n = synthetic ? (size_t)c->syn_outputs : c->target_columns.n;
    const pf_task_shape *s = pf_task_shape_of(c->task, n);
    if (s->weighs_outputs) return PF_OK;
    char name[PF_MAX_NAME];
    pf_config_choice_name("train", "output_weighting", (int)c->output_weighting, name, sizeof name);
    if (s->labels)
        return pf_error_set(err, PF_EINPUT,
                            "train.output_weighting = %s weighs the losses of several regression "
                            "outputs against each other, but data.task = %s trains one loss "
                            "over its classes: nothing to weigh; set train.output_weighting = "
                            "equal",
                            name, pf_task_name(c->task));
    return pf_error_set(err, PF_EINPUT,
                        "train.output_weighting = %s weighs the losses of several regression "
                        "outputs against each other, but this study has %zu output (%s): nothing "
                        "to weigh; list several targets, or set train.output_weighting = equal",
                        name, n, synthetic ? "synthetic.outputs" : "data.target_column");
}

int pf_task_check(const pf_config *c, pf_error *err)
{
    const char *task = pf_task_name(c->task);
    size_t n = c->target_columns.n;
    const pf_task_shape *s = pf_task_shape_of(c->task, n);
    if (n < s->min_targets || n > s->max_targets)
        return pf_error_set(err, PF_EINPUT,
                            "data.task = %s takes exactly one %s column, but data.target_column "
                            "lists %zu; predict one %s per run",
                            task, s->labels ? "label" : "target", n,
                            s->labels ? "label" : "target");
    if (!s->transforms && c->target_transform != PF_TRANSFORM_NONE)
        return pf_error_set(err, PF_EINPUT,
                            "data.target_transform turns a target into classes, so it needs "
                            "data.task = %s (or set target_transform = none)",
                            task_with(1));
    if (c->loss != PF_LOSS_AUTO && !(s->losses & LOSS(c->loss))) {
        char name[PF_MAX_NAME], ours[PF_MAX_TEXT];
        const pf_task_shape *owner = first_with_loss(c->loss);
        pf_config_choice_name("train", "loss", (int)c->loss, name, sizeof name);
        loss_names(s, ours, sizeof ours);
        return pf_error_set(err, PF_EINPUT,
                            "train.loss = %s is a %s loss; data.task = %s trains with "
                            "train.loss = %s (or auto)",
                            name, owner ? pf_task_name(owner->task) : "?", task, ours);
    }
    if (!s->weighs_classes && c->class_weights != PF_CLASS_WEIGHTS_NONE)
        return pf_error_set(err, PF_EINPUT,
                            "train.class_weights = balanced weighs classes, so it needs "
                            "data.task = %s",
                            task_with(1));
    return check_output_weighting(c, err);
}

pf_loss pf_task_loss(const pf_config *cfg)
{
    if (cfg->loss != PF_LOSS_AUTO) return cfg->loss;
    return pf_task_shape_of(cfg->task, cfg->target_columns.n)->default_loss;
}
