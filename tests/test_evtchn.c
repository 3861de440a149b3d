/* Placeholder: the evtchn/devicemodel libctl suite (issue 4). */
#include "harness.h"

int kxen_suite_evtchn(void)
{
	return 0;
}
