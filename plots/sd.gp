    # Spread of the metric across participants (sample sd) vs sparsity: lower means the model
    # serves participants more evenly, whichever way the metric itself points. Bands are
    # bootstrap confidence intervals of the sd; the dense model is the dashed horizontal line.
    # DATA columns: sparsity sd ci_lo ci_hi; index 0 = dense, index i = names[i].
    set key outside right top vertical Left reverse samplen 2.5 spacing 1.1
    plot DATA index 0 using 1:3:4 with filledcurves fillcolor rgb DENSE \
             fillstyle transparent solid 0.07 noborder, \
         DATA index 0 using 1:2 with lines linecolor rgb DENSE dashtype 2 linewidth 1.5*LW \
             title "dense", \
         for [i=1:N] DATA index i using 1:3:4 with filledcurves fillcolor rgb colors[i] \
             fillstyle transparent solid 0.13 noborder, \
         for [i=1:N] DATA index i using 1:2 with linespoints linecolor rgb colors[i] \
             pointtype points[i] pointsize 1.1*PS linewidth 2*LW title names[i], \
         NaN with filledcurves fillcolor rgb "#bbbbbb" fillstyle solid 0.5 noborder \
             title CI." bootstrap CI"
