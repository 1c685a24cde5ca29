console.log("parley: placeholder");
