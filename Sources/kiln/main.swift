import KilnCLI

await Kiln.main()
