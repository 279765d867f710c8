#include "CInfiniBand.h"
