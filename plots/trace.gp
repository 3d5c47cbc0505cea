    # One participant's held-out windows against time (or their order): the annotated target
    # (grey, a point per window), the dense model's prediction (black) and, when the study has a
    # reference criterion, its model at the largest sparsity (its colour, dashed). Repeat 0.
    # Regression: one panel per output; DATA index o-1 = output outs[o], columns
    # x target dense reference. Classification: DATA index 0, columns
    # x label dense_class dense_p1 reference_class reference_p1.
    NO = @NO@
    array outs[NO] = [@OUTS@]
    C = @C@
    array classes[C > 0 ? C : 1] = [@CLASSES@]
    REF = @REF@
    REFNAME = @REFNAME@
    REFCOLOR = "@REFCOLOR@"
    TARGET = "#8c8c8c"
    unset label 99
    set autoscale xfix
    # The legend sits under the title, above the panels, so it never hides a window.
    set key at screen 0.5, screen 0.855 center center horizontal maxcols 3 Left reverse \
        samplen 2 spacing 1.0 width -12
    if (C == 0) {
        set multiplot layout NO, 1 title "@TITLE@" margins 0.11, 0.97, 0.11, 0.81 spacing 0.04
        do for [o=1:NO] {
            set ylabel outs[o] noenhanced
            if (o < NO) {
                set xlabel ""
                set format x ""
            } else {
                set xlabel "@XLABEL@"
                set format x "%.0s%c"
            }
            if (o > 1) { unset key }
            plot DATA index (o-1) using 1:2 with linespoints linecolor rgb TARGET \
                     pointtype 7 pointsize 0.45*PS linewidth 1.2*LW title "annotated", \
                 DATA index (o-1) using 1:3 with lines linecolor rgb DENSE linewidth 1.6*LW \
                     title "dense model", \
                 for [k=1:REF] DATA index (o-1) using 1:4 with lines linecolor rgb REFCOLOR \
                     dashtype 2 linewidth 1.4*LW title REFNAME
        }
        unset multiplot
    } else {
        # Classes on the left axis; with two classes the models' probability of the second on
        # the right one, the same 0..1 scale: a model predicts it where its line is above 0.5.
        # With more classes, each model's predicted class beside the annotated one.
        set multiplot layout 1, 1 title "@TITLE@" margins 0.14, 0.86, 0.13, 0.81
        set ytics ()
        do for [k=1:C] { set ytics add (classes[k] k-1) }
        set yrange [-0.15:C-0.85]
        set format x "%.0s%c"
        if (C == 2) {
            set y2range [-0.15:1.15]
            set border 11 linewidth LW
            set y2tics 0, 0.25, 1 nomirror out scale 0.6
            set y2label sprintf("probability of %s", classes[2]) noenhanced
            plot 0.5 axes x1y2 with lines linecolor rgb "#bbbbbb" dashtype 3 linewidth LW, \
                 DATA index 0 using 1:2 with points linecolor rgb TARGET pointtype 7 \
                     pointsize 1.1*PS title "annotated", \
                 DATA index 0 using 1:4 axes x1y2 with lines linecolor rgb DENSE \
                     linewidth 1.6*LW title "dense model", \
                 for [k=1:REF] DATA index 0 using 1:6 axes x1y2 with lines \
                     linecolor rgb REFCOLOR dashtype 2 linewidth 1.4*LW title REFNAME
        } else {
            plot DATA index 0 using 1:2 with points linecolor rgb TARGET pointtype 7 \
                     pointsize 1.1*PS title "annotated", \
                 DATA index 0 using 1:($3 + 0.08) with points linecolor rgb DENSE pointtype 6 \
                     pointsize 1.2*PS linewidth LW title "dense model", \
                 for [k=1:REF] DATA index 0 using 1:($5 - 0.08) with points \
                     linecolor rgb REFCOLOR pointtype 2 pointsize 1.1*PS linewidth LW title REFNAME
        }
        unset multiplot
    }
