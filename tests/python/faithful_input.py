"""input() on the terminal, traced headless: the program reads what is typed, as untraced
(it is in the terminal's foreground, not stopped by SIGTTIN)."""
name = input("your name? ")
print("hello", name)
