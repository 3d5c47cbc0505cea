# @NAME@.gp: @TITLE@
#
# Written by prunefair from its templates plots/common.gp and plots/@KIND@.gp. The numbers
# are in @DATAFILE@ beside this script (whitespace-separated, '#' comments name the columns;
# gnuplot's "index i" is the i-th block, blocks are separated by two blank lines).
# The metric: @ABOUT@.
# Re-render from this folder:
#     gnuplot @NAME@.gp                          (renders: @FORMATS@)
#     gnuplot -e "formats='pdf'" @NAME@.gp       (only some of: png pdf)
if (!exists("formats")) formats = "@FORMATS@"
DATA = "@DATAFILE@"

# Criteria in config order; a criterion keeps its colour and marker in every figure.
N = @N@
array names[N] = [@NAMES@]
array colors[N] = [@COLORS@]
array points[N] = [@POINTS@]
DENSE = "#000000"
NPART = @NPART@
CI = "@CI@"
# 1: higher values of the metric are better (CCC, accuracy); 0: lower are (RMSE).
HIGHER_IS_BETTER = @HIB@
set encoding utf8

do for [fmt in formats] {
    # The same figure on screen and on paper: 800x560 px PNG, 5x3.5 in PDF.
    # LW and PS scale the templates' line widths and point sizes to the medium.
    if (fmt eq "pdf") {
        set terminal pdfcairo noenhanced color size 5in,3.5in font "Helvetica,9" rounded
        LW = 0.75; PS = 0.6
    } else {
        set terminal pngcairo noenhanced color size 800,560 font "Helvetica,12" rounded
        LW = 1.4; PS = 1
    }
    set output "@NAME@." . fmt
    reset
    set datafile missing "NaN"
    set border 3 linewidth LW
    set tics nomirror out scale 0.6
    set grid xtics ytics linecolor rgb "#e4e4e4" linewidth LW dashtype 1
    set key noautotitle
    # The title is centred on the whole image, not over the plot, so a long one is not cut
    # off by the key beside the plot.
    set tmargin 3.5
    set label 99 "@TITLE@" at screen 0.5, screen 0.955 center
    set xlabel "@XLABEL@"
    set ylabel "@YLABEL@"
@BODY@
    set output
}
