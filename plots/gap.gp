    # The gap between groups of participants vs sparsity: one panel per attribute, the gap =
    # max - min of the group means of the metric (lower is more even), one line per criterion;
    # the dense model's gap at this width as a dashed horizontal line.
    # DATA columns: sparsity gap ci_lo ci_hi; index (a-1)*(N+1) = dense under attribute
    # attrs[a], index (a-1)*(N+1) + i = criterion names[i] under attrs[a].
    NA = @NA@
    array attrs[NA] = [@ATTRS@]
    unset label 99
    set multiplot layout 1, NA title "@TITLE@"
    # Narrow panels: a few sparsity tics, and the axis named once per panel in one word.
    set xtics 0.3 format "%g"
    set xlabel "sparsity"
    do for [a=1:NA] {
        set title attrs[a] noenhanced
        set yrange [0:*]
        if (a == 1) {
            set key inside left top vertical Left reverse samplen 2 spacing 1.0 font ",9" \
                opaque box linecolor rgb "#dddddd"
        } else {
            unset key
            unset ylabel
        }
        B = (a-1)*(N+1)
        plot DATA index B using 1:2 with lines linecolor rgb DENSE dashtype 2 \
                 linewidth 1.5*LW title "dense", \
             for [i=1:N] DATA index (B+i) using 1:2 with linespoints linecolor rgb colors[i] \
                 pointtype points[i] pointsize 0.9*PS linewidth 1.5*LW title names[i]
    }
    unset multiplot
