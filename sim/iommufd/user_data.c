/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/user_data — copying vendor structs in and out of user memory
 * with iommufd's size rules (the kernel's iommu_copy_struct_from_user and
 * iommu_copy_struct_from_user_array, iommufd §2.11, §2.15): a shorter user
 * struct is zero-extended, a longer one must be zero past the end.
 */
#include <errno.h>
#include <string.h>

#include "iommusim/model.h"

static int copy_struct(void *dst, size_t dst_size, const void *src, size_t src_size)
{
	const uint8_t *s = src;

	for (size_t i = dst_size; i < src_size; i++)
		if (s[i])
			return -E2BIG;
	memset(dst, 0, dst_size);
	memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
	return 0;
}

int ims_user_data_get(const struct ims_user_data *d, uint32_t type, void *dst, size_t dst_size,
		      size_t min_size)
{
	if (d->type != type)
		return -EOPNOTSUPP;
	if (d->len < min_size)
		return -EINVAL;
	if (!d->uptr)
		return -EFAULT;
	return copy_struct(dst, dst_size, d->uptr, d->len);
}

void ims_user_data_put(const struct ims_user_data *d, const void *src, size_t src_size)
{
	if (d->uptr)
		memcpy(d->uptr, src, d->len < src_size ? d->len : src_size);
}

int ims_user_array_get(const struct ims_user_array *a, uint32_t type, uint32_t index, void *dst,
		       size_t dst_size, size_t min_size)
{
	if (a->type != type)
		return -EINVAL;
	if (a->entry_len < min_size)
		return -EINVAL;
	if (!a->uptr)
		return -EFAULT;
	if (index >= a->entry_num)
		return -EINVAL;
	return copy_struct(dst, dst_size, (const uint8_t *)a->uptr + (size_t)index * a->entry_len,
			   a->entry_len);
}
