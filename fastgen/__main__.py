from fastgen import main

main()
