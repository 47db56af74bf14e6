/* analytics_file.h - the analytics in tracks.h5: the /analytics group
 * (layout in obscura-tracks(5)). */
#ifndef OBSCURA_ANALYTICS_FILE_H
#define OBSCURA_ANALYTICS_FILE_H

#include <hdf5.h>

#include "obscura/analytics.h"

#define OB_ANALYTICS_GROUP "/analytics"

/*
 * Writes r as the group /analytics of the open HDF5 file: datasets with
 * packed little-endian types, the recipe's names as attributes, no
 * timestamps (the same analytics make the same bytes).  0, or -1 after a
 * failed HDF5 call (errno may say why).
 */
int ob_analytics_file_write(hid_t file, const struct ob_analytics_result *r);

#endif
