/* task.h: what a study predicts -- the task shapes, one row each
 * (docs/data.md#targets-and-task-shapes).
 *
 * A study predicts one or several continuous targets (regression) or one class label
 * (classification); data.task says which, and the number of target columns makes a regression
 * one of two shapes. Every question that depends on the shape is answered by its row: how many
 * outputs the model has, whether its targets are class labels, the default training loss and
 * the losses it may train with, whether targets are scaled per fold, whether classes may be
 * weighed or made by a transform, which metrics are reported (the metric registry's rows name
 * the shapes they report, eval/metric.h) and which is primary, and the names it is shown and
 * stored with. Nothing else in the program tests the task: a fourth shape (ordinal,
 * multi-label) is one row, and the functions for whatever it does differently. */
#ifndef PF_TASK_H
#define PF_TASK_H

#include <stddef.h>

#include "base/error.h"
#include "config/config.h"

/* The shapes as bits, for the metric registry's masks. */
enum {
    PF_SHAPE_REG1 = 1u << 0, /* regression, one output */
    PF_SHAPE_REGK = 1u << 1, /* regression, K > 1 outputs */
    PF_SHAPE_CLASS = 1u << 2 /* classification, C >= 2 classes */
};

typedef struct {
    const char *title;    /* as messages and the plan show it: "regression with several outputs" */
    pf_task_kind task;    /* its data.task value */
    unsigned bit;         /* its PF_SHAPE_* bit */
    size_t min_targets;   /* target columns it takes, at least ... */
    size_t max_targets;   /* ... and at most */
    int labels;           /* 1: the target is a class label: the model has one output (a logit)
                           * per class, y holds class indices, predictions are classes (argmax);
                           * 0: one output per target, in the target's unit */
    pf_loss default_loss; /* train.loss = auto */
    unsigned losses;      /* the losses it trains with: bit 1u << pf_loss */
    int scales_targets;   /* data.target_scaling applies (a label is never scaled) */
    int weighs_classes;   /* train.class_weights may weigh its classes */
    int transforms;       /* data.target_transform may make its classes from a number */
    int weighs_outputs;   /* train.output_weighting may weigh its outputs' losses (several
                           * regression outputs; one output or one label has nothing to weigh) */
    const char *primary;  /* stats.metric = auto: the metric tables and statistics are about */
} pf_task_shape;

/* The shapes, in their fixed order; *n receives how many. */
const pf_task_shape *pf_task_list(size_t *n);

/* The shape of a study predicting task from n_targets columns: the row of task whose target
 * range holds n_targets, else (a count no row takes, which the config refuses) the first row
 * of task. Never NULL. */
const pf_task_shape *pf_task_shape_of(pf_task_kind task, size_t n_targets);

/* Model outputs: one per class for labels, else one per target. */
size_t pf_task_outputs(const pf_task_shape *s, size_t n_targets, size_t n_classes);

/* data.task's name of task ("regression", "classification"); task by that name into *out
 * (0 when there is none). */
const char *pf_task_name(pf_task_kind task);
int pf_task_from_name(const char *name, pf_task_kind *out);

/* PF_OK when cfg's task, target columns, transform, loss, class weights and output weighting go
 * together (each as the shape's row allows; the synthetic source's targets are
 * synthetic.outputs); PF_EINPUT with a message naming the keys otherwise. */
int pf_task_check(const pf_config *cfg, pf_error *err);

/* train.loss with auto resolved by the shape. */
pf_loss pf_task_loss(const pf_config *cfg);

#endif
