/* counter.c: the tiny tree ringlab's series tests apply patches to */
#include <stdio.h>

static int count;

int counter_add(int n)
{
	count += n;
	return count;
}

int counter_get(void)
{
	return count;
}

void counter_print(void)
{
	printf("%d\n", count);
}
