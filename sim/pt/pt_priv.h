/* SPDX-License-Identifier: MIT */
/* Shared between the generic walker and mapper; not part of the contract. */
#ifndef IMS_SIM_PT_PRIV_H
#define IMS_SIM_PT_PRIV_H

#include "sim/pt.h"

/* The format's input-address rule (canonical, TTB1 ones, or zeros above ias). */
bool ims_pt_input_ok(const struct ims_pt_fmt *f, uint64_t iova);

#endif
