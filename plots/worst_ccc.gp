    # The participants a pruned model fails: the worst participant's CCC (dashed, open markers)
    # and the 10th percentile across participants (solid, filled markers) vs sparsity.
    # DATA columns: sparsity min_ccc p10_ccc; index 0 = dense, index i = names[i].
    set xlabel "sparsity (fraction of weights pruned)"
    set ylabel "CCC"
    set key outside right top vertical Left reverse samplen 2.5 spacing 1.1
    plot DATA index 0 using 1:3 with lines linecolor rgb DENSE dashtype 1 linewidth 1.2*LW \
             title "dense", \
         DATA index 0 using 1:2 with lines linecolor rgb DENSE dashtype 2 linewidth 1.2*LW, \
         for [i=1:N] DATA index i using 1:3 with linespoints linecolor rgb colors[i] \
             pointtype points[i] pointsize 1.1*PS linewidth 2*LW title names[i], \
         for [i=1:N] DATA index i using 1:2 with linespoints linecolor rgb colors[i] \
             pointtype (points[i] - 1) pointsize 1.1*PS linewidth 1.2*LW dashtype 2, \
         NaN with lines linecolor rgb "#555555" linewidth 2*LW title "10th percentile", \
         NaN with lines linecolor rgb "#555555" linewidth 1.2*LW dashtype 2 \
             title "worst participant"
