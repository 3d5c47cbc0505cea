    # Accuracy against evenness: the mean of the metric against its sd across participants
    # (left is more even), one point per (criterion, sparsity) labelled with the sparsity; the
    # points of one criterion are joined in order of sparsity. The dense model is the star.
    # The arrow points to the better corner: up-left when higher values are better, down-left
    # when lower ones are (RMSE).
    # DATA columns: sd mean sparsity; index 0 = dense, index i = names[i].
    set key outside right top vertical Left reverse samplen 2 spacing 1.1
    set xrange [0:*]
    set offsets 0, graph 0.08, graph 0.1, graph 0.05
    if (HIGHER_IS_BETTER) {
        set arrow 1 from graph 0.15, graph 0.84 to graph 0.05, graph 0.95 head filled \
            size graph 0.018,25 linecolor rgb "#888888" linewidth 1.2*LW
        set label 1 "better: more accurate, more even" at graph 0.16, graph 0.83 left \
            textcolor rgb "#777777"
    } else {
        set arrow 1 from graph 0.15, graph 0.16 to graph 0.05, graph 0.05 head filled \
            size graph 0.018,25 linecolor rgb "#888888" linewidth 1.2*LW
        set label 1 "better: more accurate, more even" at graph 0.16, graph 0.17 left \
            textcolor rgb "#777777"
    }
    plot DATA index 0 using 1:2 with points linecolor rgb DENSE pointtype 3 pointsize 2*PS \
             linewidth 1.5*LW title "dense", \
         for [i=1:N] DATA index i using 1:2 with lines linecolor rgb colors[i] linewidth LW \
             dashtype 3, \
         for [i=1:N] DATA index i using 1:2 with points linecolor rgb colors[i] \
             pointtype points[i] pointsize 1.3*PS title names[i], \
         for [i=1:N] DATA index i using 1:2:($3 > 0 ? sprintf("%g", $3) : "") with labels \
             offset char 0.4, char 0.55 left font ",9" textcolor rgb colors[i]
