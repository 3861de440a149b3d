/* Placeholder: being written (issue 4). */
#include "dev/i8042.h"
