/* Placeholder: the pmtimer device model is being written (issue 3). */
#include "dev/pmtimer.h"
