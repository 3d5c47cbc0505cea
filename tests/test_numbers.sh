#!/bin/sh
# test_numbers.sh: speed work leaves every number where it was.
#
# Each case runs a small study and compares the SHA-256 of its per-participant table (every
# metric of every variant of every held-out participant, 17 significant digits) and of its
# summary with the values written below, which the program computed at d2dad61, before issue
# 22 (docs/performance.md) rewrote the loader, the folds and the training loop's bookkeeping.
# Together they cover the paths those changes touch: dense and masked training with Adam and
# SGD, fine-tuning after pruning, SNIP on the trained model and at initialisation, per-group
# gradients (VR, FairGRAPE), clustering with fine-tuning, several outputs with a learned
# weighting, classification, and the real Heist and keyboard files (quoted fields) read by the
# CSV loader. A change that moves a last bit anywhere fails here; one that means to change
# numbers updates these values and says why in its commit.
set -eu
. "$(dirname "$0")/cli_lib.sh"
PF_CACHE_DIR=off # every case parses its file: the loader is under test too
KB="$PF_SRCDIR/../shared/data/keyboard/keyboard_features.csv"
cat >"$WORK/n.ini" <<'INI'
[experiment]
name = numbers
[synthetic]
participants = 8
windows = 30
features = 7
informative = 4
private = 1
[model]
hidden = 12,6
[train]
max_epochs = 5
batch_size = 16
learning_rate = 0.01
patience = 2
[folds]
validation = 0.2
[prune]
criteria = random,magnitude,snip,fairgrape,vr
sparsities = 0,0.5,0.9
finetune_epochs = 2
[compress]
bits = 32,4
[stats]
bootstrap = 0
[output]
figures = none
tables = none
INI

# check NAME SHA_PER_PARTICIPANT SHA_SUMMARY ARGS...: run the study, compare both hashes.
check() {
    name=$1 want_pp=$2 want_sum=$3
    shift 3
    rm -rf "$WORK/out"
    run_case "$name" 0 --no-progress --threads 2 --out "$WORK/out" "$@"
    [ -s "$WORK/out/per_participant.csv" ] || return 0
    got_pp=$(sha256sum <"$WORK/out/per_participant.csv" | cut -c1-64)
    got_sum=$(sha256sum <"$WORK/out/summary.csv" | cut -c1-64)
    if [ "$got_pp" = "$want_pp" ]; then pass "  $name: per-participant numbers unchanged"
    else fail "  $name: per_participant.csv moved" "sha256 $got_pp, expected $want_pp"; fi
    if [ "$got_sum" = "$want_sum" ]; then pass "  $name: summary unchanged"
    else fail "  $name: summary.csv moved" "sha256 $got_sum, expected $want_sum"; fi
}

check "adam, masks, fine-tuning, five criteria" \
    0592cec2d3e3dd9e399262202b3303cec3ce72d009a9fbb090f00aae9f1b233e \
    2e0ecd5197cf3f8f857e930575e8896474d8175d72f0454ecbdeecd561a6cc4c \
    "$WORK/n.ini"
check "sgd, snip at initialisation, clustering with fine-tuning" \
    aef72a70acebe0396fd5e28b0528e53fa77fd1bc0d53142e5c43d188b36cb379 \
    952ec6ee61a898bb88ac0a1f485222bbe66b38f7492543e7a297e17cadccd5d6 \
    --set train.optimizer=sgd --set train.momentum=0.9 --set prune.snip_stage=init \
    --set compress.clusters=4 --set compress.cluster_finetune_epochs=1 "$WORK/n.ini"
check "classification, elu" \
    8c946322d2fbc0770a6c270744948462176363541915cd327535334e6da9484e \
    af439197b9094be85b1f29bc224861e34ec4b9db3806b4fdb62bc434a95f2c75 \
    --set data.task=classification --set data.target_transform=above_median \
    --set model.activation=elu "$WORK/n.ini"
check "two outputs, learned weighting, tanh" \
    a00f1bf82bae95a9040af0fe4245a42c43fe8a468dbde814e8756bddea62629a \
    df8ca8af17363fff387f516c8eb7ae6cb1cc69c475043f8f63588a12a3e88dca \
    --set synthetic.outputs=2 --set train.output_weighting=uncertainty \
    --set model.activation=tanh "$WORK/n.ini"
if [ -r "$AGAIN_DATA_DIR/heist_3000ms.csv" ]; then
    check "the Heist file, leave-one-out" \
        77a4c97f3e07498b525c2c5e55f60ecd4568c3d1c991ffd9058f79e03c32004e \
        7d90e6b11efc0c67f82b42bcabdb6222c308ea367f3e49a11d4323a14a63e31a \
        --set data.path="$AGAIN_DATA_DIR/heist_3000ms.csv" --set train.max_epochs=1 \
        --set prune.criteria=magnitude,vr --set prune.sparsities=0.5 --set compress.bits=32 \
        --set prune.finetune_epochs=0 --set output.figures=none --set output.tables=none \
        "$PF_SRCDIR/configs/heist.ini"
else
    echo "# skipped the Heist case: no $AGAIN_DATA_DIR/heist_3000ms.csv"
fi
if [ -r "$KB" ]; then
    check "the keyboard file" \
        decece2e36d3b655b73d8bd6e9511c0a20a514a49e141faef9d1ae7378074db4 \
        8d3759a3b10a576d45745789e0e880e5288915b86e76f2abbaa6b1f9832b87af \
        --set data.path="$KB" --set train.max_epochs=1 --set prune.criteria=magnitude \
        --set prune.sparsities=0.5 --set compress.bits=32 --set output.figures=none \
        --set output.tables=none "$PF_SRCDIR/configs/keyboard.ini"
else
    echo "# skipped the keyboard case: no $KB"
fi
finish
