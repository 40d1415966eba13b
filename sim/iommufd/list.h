/* SPDX-License-Identifier: MIT */
/* sim/iommufd/list — a small intrusive doubly linked list. */
#ifndef IMS_IOMMUFD_LIST_H
#define IMS_IOMMUFD_LIST_H

#include <stdbool.h>

struct ims_list {
	struct ims_list *prev, *next;
};

static inline void ims_list_init(struct ims_list *h)
{
	h->prev = h->next = h;
}
static inline bool ims_list_empty(const struct ims_list *h)
{
	return h->next == h;
}
static inline void ims_list_add_tail(struct ims_list *h, struct ims_list *n)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}
static inline void ims_list_del(struct ims_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}
/* for (pos = first; pos != head; pos = next), safe against removing pos */
#define ims_list_for_each_safe(pos, nxt, head) \
	for ((pos) = (head)->next, (nxt) = (pos)->next; (pos) != (head); \
	     (pos) = (nxt), (nxt) = (pos)->next)

#endif
