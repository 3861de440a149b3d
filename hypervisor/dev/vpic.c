/* Placeholder: the vpic device model is being written (issue 3). */
#include "dev/vpic.h"
