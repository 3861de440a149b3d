/* Placeholder: being written (issue 4). */
#include "dev/pm_control.h"
