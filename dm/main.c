/* Placeholder: kxen-dm is being written (issue 4). */
int main(void)
{
	return 1;
}
