/* SPDX-License-Identifier: MIT */
/*
 * sim/err — errors as iommufd reports them: a negative errno as the return
 * value, and for humans a message naming the offending field or token.
 */
#ifndef IMS_SIM_ERR_H
#define IMS_SIM_ERR_H

#include <stddef.h>

/* Formats a message into err[0..errlen) (nothing when err is NULL or errlen
 * is 0; truncated to fit) and returns rc, so a failing path reads
 * `return ims_errf(err, errlen, -EINVAL, "key %s: ...", key);`. */
int ims_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
