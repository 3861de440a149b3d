/* Placeholder: the vlapic device model is being written (issue 3). */
#include "dev/vlapic.h"
