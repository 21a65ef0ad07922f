/* Placeholder main until the CLI lands; replaced by the command dispatcher. */
#include <stdio.h>
int main(void)
{
    puts("teiten");
    return 0;
}
