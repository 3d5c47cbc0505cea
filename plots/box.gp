    # The metric per participant at a few sparsity levels: one box per criterion (median,
    # quartiles, whiskers to 1.5 IQR, outliers as dots), grouped by sparsity; the dense model's
    # median as a dashed reference line.
    # DATA columns: participant value; index (g-1)*N + i-1 = criterion i at sparsity panels[g],
    # index NG*N = dense.
    NG = @NG@
    array panels[NG] = [@PANELS@]
    stats DATA index (NG*N) using 2 nooutput
    DENSE_MEDIAN = STATS_median
    # Every value of the file, dense included, sets the y range (gnuplot's autoscale would
    # leave out the dense line).
    stats DATA using 2 nooutput
    PAD = 0.05 * (STATS_max - STATS_min > 0 ? STATS_max - STATS_min : 1)
    set yrange [STATS_min - PAD : STATS_max + PAD]
    set xrange [0.2 : NG*(N+1) - 0.2]
    set xtics scale 0 nomirror
    set grid noxtics ytics
    set xtics ("" -1)
    do for [g=1:NG] {
        set xtics add (panels[g] (g-1)*(N+1) + (N+1)/2.0)
    }
    set style boxplot outliers pointtype 7 range 1.5
    set style fill transparent solid 0.35 border
    set boxwidth 0.75
    set pointsize 0.35*PS
    set key outside right top vertical Left reverse samplen 2 spacing 1.1
    plot for [g=1:NG] for [i=1:N] DATA index ((g-1)*N + i-1) \
             using ((g-1)*(N+1) + i):2 with boxplot linecolor rgb colors[i] linewidth LW \
             fillcolor rgb colors[i] title (g == 1 ? names[i] : ""), \
         DENSE_MEDIAN with lines linecolor rgb DENSE dashtype 2 linewidth 1.5*LW \
             title "dense (median)"
