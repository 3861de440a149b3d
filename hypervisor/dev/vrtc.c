/* Placeholder: the vrtc device model is being written (issue 3). */
#include "dev/vrtc.h"
