    # Accuracy against stored model size over every variant: x = KiB of the stored model
    # (bytes / 1024, log scale; per layer dense or CSR, whichever is smaller, quantisation scales and float32
    # biases included), y = the mean of the metric across participants. Colour = criterion,
    # marker = weight width (open when the weights were clustered); points of one criterion
    # and chain are joined in order of sparsity. The dense models are black, the dense float32
    # model the large star, and its mean the dashed line: a variant above it and to the left
    # costs nothing.
    # DATA columns: bytes mean bits sparsity; index 0 = the dense model at every chain (row w-1:
    # chain w), index 1 + (i-1)*W + (w-1) = criterion names[i] at chain w: clustered to
    # chains[w] centroids per layer (0: not clustered), at widths[w] bits.
    W = @W@
    array widths[W] = [@WIDTHS@]
    array chains[W] = [@CHAINS@]
    wfilled(b) = (b == 32 ? 7 : b == 8 ? 9 : b == 6 ? 11 : b == 4 ? 5 : b == 2 ? 13 : 15)
    wpoint(b, k) = wfilled(b) - (k > 0 && wfilled(b) != 15 ? 1 : 0)
    wname(b, k) = (k > 0 ? sprintf("%d clusters, ", k) : "") . (b == 32 ? "float32" : sprintf("%d-bit", b))
    stats DATA index 0 every ::0::0 using 2 nooutput
    DENSE_MEAN = STATS_min
    set logscale x 2
    set format x "%g"
    set key outside right top vertical Left reverse samplen 2 spacing 1.1
    set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
    plot DENSE_MEAN with lines linecolor rgb DENSE dashtype 2 linewidth LW \
             title "dense float32 mean", \
         for [i=1:N] for [w=1:W] DATA index (1 + (i-1)*W + (w-1)) using ($1/1024):2 with lines \
             linecolor rgb colors[i] dashtype 3 linewidth LW, \
         for [i=1:N] for [w=1:W] DATA index (1 + (i-1)*W + (w-1)) \
             using ($1/1024):2:(wpoint(widths[w], chains[w])) \
             with points linecolor rgb colors[i] pointtype variable pointsize 1.1*PS notitle, \
         DATA index 0 using ($1/1024):2:(wpoint($3, chains[int($0) + 1])) with points \
             linecolor rgb DENSE \
             pointtype variable pointsize 1.3*PS notitle, \
         for [i=1:N] NaN with lines linecolor rgb colors[i] linewidth 2.5*LW title names[i], \
         NaN with lines linecolor rgb DENSE linewidth 2.5*LW title "dense", \
         DATA index 0 every ::0::0 using ($1/1024):2 with points linecolor rgb DENSE pointtype 3 \
             pointsize 2.6*PS linewidth 1.5*LW notitle, \
         for [w=1:W] NaN with points linecolor rgb "#555555" \
             pointtype wpoint(widths[w], chains[w]) pointsize 1.1*PS title wname(widths[w], chains[w])
