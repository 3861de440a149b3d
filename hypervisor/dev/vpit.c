/* Placeholder: the vpit device model is being written (issue 3). */
#include "dev/vpit.h"
