/* SPDX-License-Identifier: MIT */
/* plot.h - the analytics as pictures: PNG charts drawn with PLplot.
 *
 * Only what ob_analytics_result holds is drawn: counts, times and positions
 * of anonymous tracks.  No frame of the footage is ever read or drawn, so a
 * picture cannot show a person: the heatmap's background is blank, with the
 * frame's outline and the recipe's lines and zones drawn on it.
 *
 * Every picture is written atomically (a temporary name, fsync, rename):
 * after an error no file exists under path.  PLplot's errors, even those
 * it would end the process for, come back as OB_ERR_INTERNAL; normally it
 * prints nothing.  One picture at a time: PLplot is not thread-safe (each
 * job is a process).  Every function returns 0 or: OB_ERR_OUTPUT naming
 * path (not writable, not written completely), OB_ERR_INTERNAL (PLplot
 * failed, or its pngcairo device, package plplot-driver-cairo, is
 * missing), OB_ERR_NOMEM.
 */
#ifndef OBSCURA_PLOT_H
#define OBSCURA_PLOT_H

#include "obscura/analytics.h"

#define OB_PLOT_WIDTH 1200  /* px, every picture */
#define OB_PLOT_HEIGHT 800

/*
 * Heatmap of class index c (0 <= c < r->n_classes): track-seconds spent in
 * each cell, over a blank frame of r->width x r->height pixels (empty cells
 * show it) with its lines (arrow: the forward side) and zones (restricted:
 * red, dashed) outlined and named.  Axes in frame pixels, y down as on the
 * picture; a colour bar with its unit, whose colours change fastest at the
 * low end (the scale is linear, the ramp is not).  OB_ERR_INTERNAL also for
 * c out of range.
 */
int ob_plot_heatmap(const struct ob_analytics_result *r, size_t c, const char *path);

/*
 * Occupancy over time: mean tracks present per occupancy bin, as steps, one
 * panel per analysed class, one curve per area (the whole frame and each
 * zone), with a legend beside the panels.  Time axis in seconds, minutes or
 * hours to suit the duration.  More bins than the picture can show are
 * drawn merged (their frame-weighted mean), and the subtitle says so; no
 * bins at all give empty panels marked "no frames".
 */
int ob_plot_occupancy(const struct ob_analytics_result *r, const char *path);

/*
 * Crossings: a bar chart, for each line, of forward and backward crossings
 * per class, with the counts written on the bars.  A result without lines
 * still gets a chart saying so, so a batch of pictures is always complete.
 */
int ob_plot_crossings(const struct ob_analytics_result *r, const char *path);

#endif
