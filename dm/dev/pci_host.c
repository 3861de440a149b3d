/* Placeholder: being written (issue 4). */
#include "dev/pci_host.h"
