/* Placeholder: the vhpet device model is being written (issue 3). */
#include "dev/vhpet.h"
