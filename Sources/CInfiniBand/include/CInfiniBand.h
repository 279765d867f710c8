#ifndef C_INFINIBAND_H
#define C_INFINIBAND_H
#ifdef __linux__
#include <infiniband/verbs.h>
#include <infiniband/umad.h>
#endif
#endif
