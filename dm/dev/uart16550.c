/* Placeholder: being written (issue 4). */
#include "dev/uart16550.h"
