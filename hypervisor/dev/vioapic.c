/* Placeholder: the vioapic device model is being written (issue 3). */
#include "dev/vioapic.h"
