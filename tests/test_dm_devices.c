/* Placeholder: the DM device models suite (issue 4). */
#include "harness.h"

int kxen_suite_dmdev(void)
{
	return 0;
}
