    # The participants a pruned model fails: the worst participant's value (dashed, open
    # markers) and the bad tail's 10th percentile (solid, filled markers) vs sparsity. "Worst"
    # and "bad tail" follow the metric's direction: the lowest CCC, the largest RMSE (whose bad
    # tail is then the 90th percentile).
    # DATA columns: sparsity worst tail; index 0 = dense, index i = names[i].
    set key outside right top vertical Left reverse samplen 2.5 spacing 1.1
    plot DATA index 0 using 1:3 with lines linecolor rgb DENSE dashtype 1 linewidth 1.2*LW \
             title "dense", \
         DATA index 0 using 1:2 with lines linecolor rgb DENSE dashtype 2 linewidth 1.2*LW, \
         for [i=1:N] DATA index i using 1:3 with linespoints linecolor rgb colors[i] \
             pointtype points[i] pointsize 1.1*PS linewidth 2*LW title names[i], \
         for [i=1:N] DATA index i using 1:2 with linespoints linecolor rgb colors[i] \
             pointtype (points[i] - 1) pointsize 1.1*PS linewidth 1.2*LW dashtype 2, \
         NaN with lines linecolor rgb "#555555" linewidth 2*LW title "@TAIL@", \
         NaN with lines linecolor rgb "#555555" linewidth 1.2*LW dashtype 2 \
             title "@WORST@"
