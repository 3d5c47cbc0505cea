#!/bin/sh
# test_export.sh: an exported model gives the same bytes on other machines, fits a
# microcontroller's flash, and runs from the example program (docs/deploy.md).
#
#   1. tests/test_export (cmocka) builds its test models, exports them and checks the exported C
#      against prunefair on x86; here (PF_EXPORT_KEEP) it leaves them, their driver, inputs and
#      expected output behind.
#   2. Each model's driver, cross-compiled for AArch64 (aarch64-linux-gnu-gcc -static, GNU mode,
#      which fuses a * b + c unless model.c forbids it) and run under qemu-aarch64, prints exactly
#      the bytes prunefair computed on x86.
#   3. Each model.c compiles for a Cortex-M4 (hard float) and its constants land in flash
#      (.text/.rodata), nothing in .data or .bss; the sizes are printed.
#   4. experiments/deploy builds with cc and with the cross compiler, reads a CSV with quoted
#      names and fields, picks the features by name, and prints the same lines on both machines,
#      equal to prunefair's outputs.
# A missing cross tool fails the test with the package to install (scripts/quickstart.sh test
# installs them).
set -eu
. "$(dirname "$0")/cli_lib.sh"

missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
need qemu-aarch64 qemu-user
need arm-none-eabi-gcc gcc-arm-none-eabi
need arm-none-eabi-size binutils-arm-none-eabi
if [ -n "$missing" ]; then
    fail "cross tools missing: apt-get install$missing libc6-dev-arm64-cross libnewlib-arm-none-eabi" \
        "(scripts/quickstart.sh test installs them)"
    finish
    exit 1
fi
[ -x "$PF_BUILDDIR/tests/test_export" ] || {
    fail "tests/test_export is not built (make check builds it)"
    finish
    exit 1
}

M=$WORK/models
if PF_EXPORT_KEEP=$M "$PF_BUILDDIR/tests/test_export" >"$WORK/unit.txt" 2>&1; then
    pass "tests/test_export made and checked the models on this machine"
else
    fail "tests/test_export failed" "$(tail -20 "$WORK/unit.txt")"
fi

# 2 and 3, model by model
for dir in "$M"/*/; do
    [ -f "$dir/model.c" ] || continue
    name=$(basename "$dir")
    if [ -f "$dir/driver.c" ]; then
        if (cd "$dir" && aarch64-linux-gnu-gcc -O2 -static -o driver_a64 driver.c model.c -lm \
            2>a64.log && qemu-aarch64 ./driver_a64 inputs.txt >out_a64.txt); then
            if cmp -s "$dir/out_a64.txt" "$dir/expected.txt"; then
                pass "$name: AArch64 (qemu) prints prunefair's bytes ($(wc -l <"$dir/inputs.txt") rows)"
            else
                fail "$name: AArch64 differs from prunefair" \
                    "$(diff "$dir/expected.txt" "$dir/out_a64.txt" | head -4)"
            fi
        else
            fail "$name: the AArch64 build or run failed" "$(cat "$dir/a64.log")"
        fi
    fi
    if (cd "$dir" && arm-none-eabi-gcc -std=c99 -mcpu=cortex-m4 -mthumb -mfloat-abi=hard \
        -mfpu=fpv4-sp-d16 -O2 -Wall -Wextra -Werror -c -o m4.o model.c 2>m4.log); then
        sizes=$(arm-none-eabi-size -A "$dir/m4.o" | awk '
            $1 == ".text" { t += $2 } $1 ~ /^\.rodata/ { r += $2 }
            $1 ~ /^\.data/ { d += $2 } $1 ~ /^\.bss/ { b += $2 }
            END { printf "%d %d %d %d", t, r, d, b }')
        set -- $sizes
        berkeley=$(arm-none-eabi-size "$dir/m4.o" | awk 'NR == 2 { print "text " $1 ", data " $2 ", bss " $3 }')
        weights=$(sed -n 's/^ \* weights *\([0-9]*\) bytes.*/\1/p' "$dir/model.c")
        if [ "$3" -eq 0 ] && [ "$4" -eq 0 ] && [ "$2" -ge "$weights" ]; then
            pass "$name: Cortex-M4 $berkeley (.text $1 code, .rodata $2 >= $weights bytes of weights; nothing in RAM)"
        else
            fail "$name: Cortex-M4 puts data in RAM or the weights are missing" \
                "$(arm-none-eabi-size -A "$dir/m4.o")"
        fi
    else
        fail "$name: model.c does not compile for a Cortex-M4" "$(cat "$dir/m4.log")"
    fi
done

# 4. the example program, on a CSV whose columns are in another order, with a column the model
# does not use and quoted names and fields
R=$M/reg_tanh_csr80
EX=$PF_SRCDIR/experiments/deploy
csv=$WORK/data.csv
# the model's features: mean_hr, scr "peaks", "x,y", pupil?, café, z
{
    echo 'id,z,"x,y",note,"scr ""peaks""",mean_hr,café,pupil?'
    awk '{
        for (j = 1; j <= 6; j++) v[j] = ($j == "nan" ? "" : $j)
        printf "%d,%s,\"%s\",\"a, \"\"b\"\"\",%s,%s,%s,%s\n", NR, v[6], v[3], v[2], v[1], v[5], v[4]
    }' "$R/inputs.txt"
} >"$csv"
if make -s -C "$EX" MODEL_DIR="$R" OUT="$WORK/predict" >"$WORK/make.log" 2>&1 &&
    make -s -C "$EX" MODEL_DIR="$R" OUT="$WORK/predict_a64" CC=aarch64-linux-gnu-gcc \
        LDFLAGS=-static >>"$WORK/make.log" 2>&1; then
    pass "experiments/deploy builds with cc and aarch64-linux-gnu-gcc"
else
    fail "experiments/deploy does not build" "$(cat "$WORK/make.log")"
fi
"$WORK/predict" "$csv" >"$WORK/pred_x86.txt" || true
qemu-aarch64 "$WORK/predict_a64" "$csv" >"$WORK/pred_a64.txt" || true
if [ -s "$WORK/pred_x86.txt" ] && cmp -s "$WORK/pred_x86.txt" "$WORK/pred_a64.txt"; then
    pass "the example program prints the same bytes on x86 and AArch64 ($(wc -l <"$WORK/pred_x86.txt") rows)"
else
    fail "the example program's outputs differ between machines" \
        "$(diff "$WORK/pred_x86.txt" "$WORK/pred_a64.txt" | head -4)"
fi
# prunefair's doubles (columns 6 and 7 of expected.txt: model_predict_double) as %.17g
awk '{ if ($1 != 0) print "error"; else print $6, $7 }' "$R/expected.txt" | while read -r a b; do
    if [ "$a" = error ]; then echo error; continue; fi
    for v in $a $b; do
        if [ "$v" = nan ]; then printf 'nan\n'; else env printf '%.17g\n' "$v"; fi
    done | paste -sd' ' -
done >"$WORK/pred_want.txt"
if cmp -s "$WORK/pred_x86.txt" "$WORK/pred_want.txt"; then
    pass "the example program's lines are prunefair's outputs, features picked by name"
else
    fail "the example program differs from prunefair" \
        "$(diff "$WORK/pred_want.txt" "$WORK/pred_x86.txt" | head -6)"
fi
finish
